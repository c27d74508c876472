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
 * increasing order under the write lock, so appending keeps every list sorted.
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
              have.add(list.refs[k]);
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
      if (equal.size() >= 2) {
        // The two shortest lists intersected in place: the shortest is not copied first.
        RefList a = equal.get(0);
        RefList b = equal.get(1);
        result = intersect(a.refs, a.size, b.refs, b.size);
        equal = equal.subList(2, equal.size());
      }
      for (RefList l : equal) {
        result = result == null ? l.copy() : intersect(result, l.refs, l.size);
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
          n += mark(within, l.refs, l.size, kept);
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
    int added = 0;
    if ((long) bn * 8 < within.length) {
      int lo = 0;
      for (int j = 0; j < bn && lo < within.length; j++) {
        int at = Arrays.binarySearch(within, lo, within.length, b[j]);
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
      if (within[i] == b[j]) {
        if (!kept[i]) {
          kept[i] = true;
          added++;
        }
        i++;
        j++;
      } else if (within[i] < b[j]) {
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
    return (long) l.size * 8 < within.length ? intersect(l.refs, l.size, within, within.length)
        : intersect(within, l.refs, l.size);
  }

  static long[] intersect(long[] a, long[] b) {
    return intersect(a, b, b.length);
  }

  /**
   * The refs of sorted {@code a} that are also in {@code b[0, bn)} (sorted). When b is much longer,
   * each ref of a is found by a galloping search from where the previous one was.
   */
  static long[] intersect(long[] a, long[] b, int bn) {
    return intersect(a, a.length, b, bn);
  }

  /** As {@link #intersect(long[], long[], int)} for the refs {@code a[0, an)}. */
  static long[] intersect(long[] a, int an, long[] b, int bn) {
    if (bn <= 8 * an) {
      return merge(a, an, b, bn);
    }
    long[] out = new long[an];
    int n = 0;
    int lo = 0;
    for (int k = 0; k < an; k++) {
      long x = a[k];
      // Gallop: find a bound hi with b[hi] >= x, then binary search in (lo, hi].
      int step = 1;
      int hi = lo;
      while (hi < bn && b[hi] < x) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
      }
      if (hi >= bn) {
        hi = bn;
      }
      int at = Arrays.binarySearch(b, lo, hi == bn ? bn : hi + 1, x);
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

  private static long[] merge(long[] a, int an, long[] b, int bn) {
    long[] out = new long[Math.min(an, bn)];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < an && j < bn) {
      if (a[i] == b[j]) {
        out[n++] = a[i];
        i++;
        j++;
      } else if (a[i] < b[j]) {
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

  /** A growable sorted list of refs. */
  private static final class RefList {
    private long[] refs = new long[4];
    private int size;

    void add(long ref) {
      if (size == refs.length) {
        refs = Arrays.copyOf(refs, size * 2);
      }
      if (size == 0 || refs[size - 1] < ref) {
        refs[size++] = ref;
        return;
      }
      // Out of order only during WAL replay (SERIES records are logged in commit order).
      int at = Arrays.binarySearch(refs, 0, size, ref);
      if (at >= 0) {
        return;
      }
      at = -at - 1;
      System.arraycopy(refs, at, refs, at + 1, size - at);
      refs[at] = ref;
      size++;
    }

    boolean remove(long ref) {
      int at = Arrays.binarySearch(refs, 0, size, ref);
      if (at < 0) {
        return false;
      }
      System.arraycopy(refs, at + 1, refs, at, size - at - 1);
      size--;
      return true;
    }

    /** Drops spare capacity (a list built in bulk). */
    void trim() {
      if (refs.length > size + 4) {
        refs = Arrays.copyOf(refs, Math.max(size, 1));
      }
    }

    long[] copy() {
      return Arrays.copyOf(refs, size);
    }
  }
}
