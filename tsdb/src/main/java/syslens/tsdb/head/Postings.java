package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * The inverted index: label name -> label value -> sorted series refs. Refs are handed out in
 * increasing order under the write lock, so appending keeps every list sorted. A list holds its
 * refs as ints while they fit (a head's refs count up from 1), halving the index's heap: each
 * series is in one list per label, ~50 bytes a series as longs (docs/benchmarks.md, "heap bytes
 * per head series").
 */
final class Postings {
  /** Label values matched between checks for cancellation (a power of two). */
  static final int CANCEL_CHECK_EVERY = 256;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final TreeMap<String, TreeMap<String, RefList>> index = new TreeMap<>();

  /** Adds a series; refs normally arrive in increasing order (cheap append). */
  void add(long ref, Labels labels) {
    lock.writeLock().lock();
    try {
      labels.forEach((n, v) ->
          index.computeIfAbsent(n, k -> new TreeMap<>()).computeIfAbsent(v, k -> new RefList()).add(ref));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Adds many series at once (checkpoint load): the first {@code n} refs, in increasing order,
   * with their labels. Each label pair's list is built aside and looked up in the index once.
   */
  void addAll(long[] refs, Labels[] labels, int n) {
    Map<String, Map<String, RefList>> staged = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      Labels l = labels[i];
      long ref = refs[i];
      for (int j = 0; j < l.size(); j++) {
        staged.computeIfAbsent(l.name(j), k -> new java.util.HashMap<>())
            .computeIfAbsent(l.value(j), k -> new RefList()).add(ref);
      }
    }
    lock.writeLock().lock();
    try {
      staged.forEach((name, values) -> {
        TreeMap<String, RefList> into = index.computeIfAbsent(name, k -> new TreeMap<>());
        values.forEach((value, list) -> {
          RefList have = into.putIfAbsent(value, list);
          if (have == null) {
            list.trim();
          } else {
            for (int k = 0; k < list.size; k++) {
              have.add(list.get(k));
            }
          }
        });
      });
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes a series (garbage collection, or a series whose creating commit failed). */
  void remove(long ref, Labels labels) {
    lock.writeLock().lock();
    try {
      labels.forEach((n, v) -> {
        TreeMap<String, RefList> values = index.get(n);
        RefList l = values == null ? null : values.get(v);
        if (l != null && l.remove(ref) && l.size == 0) {
          values.remove(v);
          if (values.isEmpty()) {
            index.remove(n);
          }
        }
      });
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Refs of series matching all matchers, sorted. Matchers that match "" also select series
   * without the label ({@code foo=""} selects series that lack foo), as in Prometheus.
   *
   * @throws IllegalArgumentException when every matcher matches the empty string
   * @throws CancellationException when the thread is interrupted while regex matchers run over
   *     label values (a query past its deadline)
   */
  long[] select(List<Matcher> matchers) {
    List<Matcher> positive = new ArrayList<>();
    List<Matcher> negative = new ArrayList<>();
    for (Matcher m : matchers) {
      (m.matchesEmpty() ? negative : positive).add(m);
    }
    if (positive.isEmpty()) {
      throw new IllegalArgumentException("matchers: " + matchers
          + " (expected: at least one matcher that does not match the empty string)");
    }
    lock.readLock().lock();
    try {
      // Equal matchers read their lists in place, shortest first: the result never grows past the
      // shortest list, and a long list (a metric name over the whole fleet) is searched, not
      // copied. Other positive matchers (regexes, !=) follow, on what is left.
      List<RefList> equal = new ArrayList<>();
      List<Matcher> others = new ArrayList<>();
      for (Matcher m : positive) {
        if (m.type() != Matcher.Type.EQUAL) {
          others.add(m);
          continue;
        }
        TreeMap<String, RefList> values = index.get(m.name());
        RefList l = values == null ? null : values.get(m.value());
        if (l == null || l.size == 0) {
          return new long[0];
        }
        equal.add(l);
      }
      equal.sort((a, b) -> Integer.compare(a.size, b.size));
      long[] result = null;
      for (RefList l : equal) {
        result = result == null ? l.copy() : intersectList(result, l);
        if (result.length == 0) {
          return result;
        }
      }
      for (Matcher m : others) {
        // Once some refs are known, each matching value's list is intersected with them in place
        // (no copy of a long list, such as a device's over the whole fleet, to union first).
        result = matching(m, true, result);
        if (result.length == 0) {
          return result;
        }
      }
      for (Matcher m : negative) {
        // Series pass when their value matches or they lack the label: drop the non-matching values.
        result = subtract(result, matching(m, false, null));
      }
      return result;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Union of the postings of values of m's label for which m.matches(v) == want; when
   * {@code within} (sorted) is not null, only the refs in it. A positive matcher reads only the
   * values that start with its literal prefix ({@link Matcher#matchedPrefix}: {@code host-0000}
   * of {@code host-0000[0-4]}), a range of the sorted values; within a set of refs, the refs each
   * matching value holds are marked in one array and collected once, not intersected and merged
   * value by value.
   */
  private long[] matching(Matcher m, boolean want, long[] within) {
    TreeMap<String, RefList> values = index.get(m.name());
    if (values == null) {
      return new long[0];
    }
    if (want && m.type() == Matcher.Type.EQUAL) {
      RefList l = values.get(m.value());
      return l == null ? new long[0] : within != null ? intersect(within, l) : l.copy();
    }
    String prefix = want ? m.matchedPrefix() : "";
    Map<String, RefList> scan = prefix.isEmpty() ? values : values.tailMap(prefix, true);
    List<long[]> lists = within == null ? new ArrayList<>() : null;
    boolean[] kept = within == null ? null : new boolean[within.length];
    int n = 0;
    int checked = 0;
    for (Map.Entry<String, RefList> e : scan.entrySet()) {
      if ((++checked & (CANCEL_CHECK_EVERY - 1)) == 0 && Thread.currentThread().isInterrupted()) {
        // The query's executor interrupts a query past its deadline: stop matching.
        throw new CancellationException("series selection cancelled after matching " + checked
            + " values of label " + m.name());
      }
      String v = e.getKey();
      if (!prefix.isEmpty() && !v.startsWith(prefix)) {
        break; // sorted: no later value starts with the prefix
      }
      if (m.matches(v) == want) {
        RefList l = e.getValue();
        if (within == null) {
          lists.add(l.copy());
        } else {
          n += mark(within, l, kept);
        }
      }
    }
    if (within == null) {
      return union(lists);
    }
    long[] out = new long[n];
    int k = 0;
    for (int i = 0; i < within.length && k < n; i++) {
      if (kept[i]) {
        out[k++] = within[i];
      }
    }
    return out;
  }

  /**
   * Marks in {@code kept} the positions of sorted {@code within} whose refs are in
   * {@code b[0, bn)} (sorted); returns how many were not marked before. A short b is searched for
   * in within, a long one walked beside it.
   */
  static int mark(long[] within, long[] b, int bn, boolean[] kept) {
    return mark(within, RefList.of(b, bn), kept);
  }

  /** {@link #mark(long[], long[], int, boolean[])} with {@code b} a list of the index. */
  private static int mark(long[] within, RefList b, boolean[] kept) {
    int bn = b.size;
    int added = 0;
    if ((long) bn * 8 < within.length) {
      int lo = 0;
      for (int j = 0; j < bn && lo < within.length; j++) {
        int at = Arrays.binarySearch(within, lo, within.length, b.get(j));
        if (at >= 0) {
          if (!kept[at]) {
            kept[at] = true;
            added++;
          }
          lo = at + 1;
        } else {
          lo = -at - 1;
        }
      }
      return added;
    }
    int i = 0;
    int j = 0;
    while (i < within.length && j < bn) {
      long bj = b.get(j);
      if (within[i] == bj) {
        if (!kept[i]) {
          kept[i] = true;
          added++;
        }
        i++;
        j++;
      } else if (within[i] < bj) {
        i++;
      } else {
        j++;
      }
    }
    return added;
  }

  /** Label names, sorted, each with the refs of series that carry it. */
  Map<String, long[]> names() {
    lock.readLock().lock();
    try {
      Map<String, long[]> out = new TreeMap<>();
      index.forEach((n, values) -> out.put(n, union(values.values().stream().map(RefList::copy).toList())));
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Values of label name, sorted, each with its refs. */
  Map<String, long[]> values(String name) {
    lock.readLock().lock();
    try {
      Map<String, long[]> out = new TreeMap<>();
      TreeMap<String, RefList> values = index.get(name);
      if (values != null) {
        values.forEach((v, l) -> out.put(v, l.copy()));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The refs of sorted {@code within} in {@code l}, searching the longer of the two. */
  private static long[] intersect(long[] within, RefList l) {
    return (long) l.size * 8 < within.length ? intersect(l.copy(), within, within.length)
        : intersectList(within, l);
  }

  static long[] intersect(long[] a, long[] b) {
    return intersect(a, b, b.length);
  }

  /**
   * The refs of sorted {@code a} that are also in {@code b[0, bn)} (sorted). When b is much longer,
   * each ref of a is found by a galloping search from where the previous one was.
   */
  static long[] intersect(long[] a, long[] b, int bn) {
    return intersectList(a, RefList.of(b, bn));
  }

  /** {@link #intersect(long[], long[], int)} with {@code b} a list of the index. */
  private static long[] intersectList(long[] a, RefList b) {
    int bn = b.size;
    if (bn <= 8 * a.length) {
      return merge(a, b);
    }
    long[] out = new long[a.length];
    int n = 0;
    int lo = 0;
    for (long x : a) {
      // Gallop: find a bound hi with b[hi] >= x, then binary search in (lo, hi].
      int step = 1;
      int hi = lo;
      while (hi < bn && b.get(hi) < x) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
      }
      if (hi >= bn) {
        hi = bn;
      }
      int at = b.search(lo, hi == bn ? bn : hi + 1, x);
      if (at >= 0) {
        out[n++] = x;
        lo = at + 1;
      } else {
        lo = -at - 1;
      }
      if (lo >= bn) {
        break;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static long[] merge(long[] a, RefList b) {
    int bn = b.size;
    long[] out = new long[Math.min(a.length, bn)];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length && j < bn) {
      long bj = b.get(j);
      if (a[i] == bj) {
        out[n++] = a[i];
        i++;
        j++;
      } else if (a[i] < bj) {
        i++;
      } else {
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  static long[] subtract(long[] a, long[] b) {
    long[] out = new long[a.length];
    int j = 0;
    int n = 0;
    for (long x : a) {
      while (j < b.length && b[j] < x) {
        j++;
      }
      if (j >= b.length || b[j] != x) {
        out[n++] = x;
      }
    }
    return Arrays.copyOf(out, n);
  }

  static long[] union(List<long[]> lists) {
    if (lists.isEmpty()) {
      return new long[0];
    }
    if (lists.size() == 1) {
      return lists.get(0);
    }
    int total = 0;
    for (long[] l : lists) {
      total += l.length;
    }
    long[] all = new long[total];
    int n = 0;
    for (long[] l : lists) {
      System.arraycopy(l, 0, all, n, l.length);
      n += l.length;
    }
    Arrays.sort(all);
    int u = 0;
    for (int i = 0; i < all.length; i++) {
      if (i == 0 || all[i] != all[i - 1]) {
        all[u++] = all[i];
      }
    }
    return Arrays.copyOf(all, u);
  }

  /**
   * A growable sorted list of refs: ints while every ref fits one, longs (all of them) from the
   * first that does not.
   */
  private static final class RefList {
    private int[] refs = new int[4];
    /** Non-null once a ref past Integer.MAX_VALUE came: then it holds the list, and refs is null. */
    private long[] wide;
    private int size;

    /** A read-only view of {@code b[0, bn)}. */
    static RefList of(long[] b, int bn) {
      RefList l = new RefList();
      l.refs = null;
      l.wide = b;
      l.size = bn;
      return l;
    }

    long get(int i) {
      return wide != null ? wide[i] : refs[i];
    }

    /** As {@link Arrays#binarySearch(long[], int, int, long)} over [from, to). */
    int search(int from, int to, long key) {
      if (wide != null) {
        return Arrays.binarySearch(wide, from, to, key);
      }
      if (key > Integer.MAX_VALUE) {
        return -to - 1;
      }
      if (key < Integer.MIN_VALUE) {
        return -from - 1;
      }
      return Arrays.binarySearch(refs, from, to, (int) key);
    }

    void add(long ref) {
      if (wide == null && (ref > Integer.MAX_VALUE || ref < Integer.MIN_VALUE)) {
        wide = copy();
        wide = Arrays.copyOf(wide, Math.max(4, size * 2));
        refs = null;
      }
      if (size == capacity()) {
        grow();
      }
      if (size == 0 || get(size - 1) < ref) {
        set(size++, ref);
        return;
      }
      // Out of order only during WAL replay (SERIES records are logged in commit order).
      int at = search(0, size, ref);
      if (at >= 0) {
        return;
      }
      at = -at - 1;
      shift(at, at + 1, size - at);
      set(at, ref);
      size++;
    }

    boolean remove(long ref) {
      int at = search(0, size, ref);
      if (at < 0) {
        return false;
      }
      shift(at + 1, at, size - at - 1);
      size--;
      return true;
    }

    /** Drops spare capacity (a list built in bulk). */
    void trim() {
      if (capacity() > size + 4) {
        if (wide != null) {
          wide = Arrays.copyOf(wide, Math.max(size, 1));
        } else {
          refs = Arrays.copyOf(refs, Math.max(size, 1));
        }
      }
    }

    long[] copy() {
      if (wide != null) {
        return Arrays.copyOf(wide, size);
      }
      long[] out = new long[size];
      for (int i = 0; i < size; i++) {
        out[i] = refs[i];
      }
      return out;
    }

    private int capacity() {
      return wide != null ? wide.length : refs.length;
    }

    /** Grows by half (at least 4): a list's spare capacity is paid once per label value. */
    private void grow() {
      int cap = capacity() + Math.max(4, capacity() >> 1);
      if (wide != null) {
        wide = Arrays.copyOf(wide, cap);
      } else {
        refs = Arrays.copyOf(refs, cap);
      }
    }

    private void set(int i, long ref) {
      if (wide != null) {
        wide[i] = ref;
      } else {
        refs[i] = (int) ref;
      }
    }

    private void shift(int from, int to, int n) {
      if (wide != null) {
        System.arraycopy(wide, from, wide, to, n);
      } else {
        System.arraycopy(refs, from, refs, to, n);
      }
    }
  }
}
