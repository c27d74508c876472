package syslens.storage;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * One series' points as per-interval aggregates, in time order (docs/format/chunk.md, "Rollup
 * chunk"). Point i stands for the raw samples of one interval and carries the timestamp of its
 * last sample, their min, max, sum, count and last value, and the reset-aware increase from the
 * sample before the interval to the interval's last sample (so increases of consecutive points add
 * up to the counter's increase, resets included). A raw sample is a point of count 1 with min =
 * max = sum = last = its value. Stale markers are not points.
 */
public record Aggregates(long[] timestamps, double[] min, double[] max, double[] sum,
    double[] count, double[] last, double[] increase) {
  public Aggregates {
    requireNonNull(timestamps, "timestamps");
    int n = timestamps.length;
    for (double[] c : new double[][] {min, max, sum, count, last, increase}) {
      requireNonNull(c, "column");
      if (c.length != n) {
        throw new IllegalArgumentException("column length: " + c.length + " (expected: " + n
            + ", the number of timestamps)");
      }
    }
  }

  public static final Aggregates EMPTY = new Aggregates(new long[0], new double[0],
      new double[0], new double[0], new double[0], new double[0], new double[0]);

  /** Prometheus' stale marker (a NaN with this exact bit pattern). */
  private static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  public int size() {
    return timestamps.length;
  }

  /**
   * Raw samples as points of count 1, stale markers skipped; the increase of each is the
   * reset-aware step from the sample before it (0 for the first).
   */
  public static Aggregates ofSamples(SampleIterator it) {
    requireNonNull(it, "it");
    Builder b = new Builder(16);
    while (it.next()) {
      double v = it.value();
      if (Double.doubleToRawLongBits(v) != STALE_NAN_BITS) {
        b.addRaw(it.timestamp(), v);
      }
    }
    return b.build();
  }

  /**
   * Merges the points of several sources by timestamp; where two sources have a point at the
   * same timestamp the earlier source's wins. A point of count 1 from a source of raw samples
   * ({@code raw[k]}) takes its increase from the point merged before it, so a counter continues
   * across the boundary between a rollup and raw data.
   */
  public static Aggregates merge(List<Aggregates> parts, boolean[] raw) {
    return merge(parts, raw, ALL_COLUMNS);
  }

  /** Every column: bits 1 min, 2 max, 4 sum, 8 count, 16 last, 32 increase (the record's order). */
  public static final int ALL_COLUMNS = 0x3f;

  /**
   * As {@link #merge(List, boolean[])}, carrying only the columns in {@code columns} (bits as
   * {@link #ALL_COLUMNS}; with increase, last too); the others hold NaN. What a reader of one
   * function needs, without copying the columns it never reads.
   */
  public static Aggregates merge(List<Aggregates> parts, boolean[] raw, int columns) {
    requireNonNull(parts, "parts");
    requireNonNull(raw, "raw");
    int k = parts.size();
    int[] pos = new int[k];
    int total = 0;
    for (Aggregates a : parts) {
      total += a.size();
    }
    if ((columns & ~ALL_COLUMNS) != 0) {
      throw new IllegalArgumentException("columns: " + Integer.toBinaryString(columns)
          + " (expected: a set of the 6 column bits)");
    }
    // A raw sample's increase is taken from the last value of the point before it.
    Builder b = new Builder(Math.max(1, total), (columns & 32) != 0 ? columns | 16 : columns);
    if (appendDisjoint(parts, raw, b)) {
      return b.build();
    }
    // A min-heap of the parts not yet exhausted, by (current timestamp, part index): O(total log
    // parts), where scanning every part per point costs O(total * parts) -- two years of one-day
    // rollup blocks are 730 parts of 24 points each.
    Heap heap = new Heap(parts, pos);
    for (int i = 0; i < k; i++) {
      if (parts.get(i).size() > 0) {
        heap.push(i);
      }
    }
    while (heap.size > 0) {
      int best = heap.top();
      Aggregates a = parts.get(best);
      int i = pos[best];
      long bt = a.timestamps[i];
      if (raw[best]) {
        b.addRaw(bt, a.last[i]);
      } else {
        b.add(bt, a.min[i], a.max[i], a.sum[i], a.count[i], a.last[i], a.increase[i]);
      }
      // Every part's points at bt are the same point: skip them all.
      while (heap.size > 0 && heap.ts(heap.top()) == bt) {
        int p = heap.top();
        Aggregates o = parts.get(p);
        while (pos[p] < o.size() && o.timestamps[pos[p]] == bt) {
          pos[p]++;
        }
        if (pos[p] < o.size()) {
          heap.siftDown(0);
        } else {
          heap.pop();
        }
      }
    }
    return b.build();
  }

  /**
   * The common case, blocks of one tier: parts that do not overlap in time are appended one after
   * another in time order (O(points)). Returns false, having added nothing, when two overlap.
   */
  private static boolean appendDisjoint(List<Aggregates> parts, boolean[] raw, Builder b) {
    int k = parts.size();
    Integer[] order = new Integer[k];
    int n = 0;
    for (int i = 0; i < k; i++) {
      if (parts.get(i).size() > 0) {
        order[n++] = i;
      }
    }
    Arrays.sort(order, 0, n, (x, y) -> Long.compare(parts.get(x).timestamps[0], parts.get(y).timestamps[0]));
    for (int i = 1; i < n; i++) {
      Aggregates prev = parts.get(order[i - 1]);
      if (prev.timestamps[prev.size() - 1] >= parts.get(order[i]).timestamps[0]) {
        return false;
      }
    }
    for (int j = 0; j < n; j++) {
      Aggregates a = parts.get(order[j]);
      if (!raw[order[j]]) {
        b.addAll(a);
        continue;
      }
      for (int i = 0; i < a.size(); i++) {
        b.addRaw(a.timestamps[i], a.last[i]);
      }
    }
    return true;
  }

  /** Part indices ordered by their current timestamp, then by index (the earlier part wins). */
  private static final class Heap {
    final List<Aggregates> parts;
    final int[] pos;
    final int[] h;
    int size;

    Heap(List<Aggregates> parts, int[] pos) {
      this.parts = parts;
      this.pos = pos;
      this.h = new int[parts.size()];
    }

    long ts(int p) {
      return parts.get(p).timestamps[pos[p]];
    }

    int top() {
      return h[0];
    }

    boolean less(int p, int q) {
      long a = ts(p);
      long c = ts(q);
      return a < c || (a == c && p < q);
    }

    void push(int p) {
      int i = size++;
      h[i] = p;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!less(h[i], h[parent])) {
          break;
        }
        int t = h[i];
        h[i] = h[parent];
        h[parent] = t;
        i = parent;
      }
    }

    void pop() {
      h[0] = h[--size];
      if (size > 0) {
        siftDown(0);
      }
    }

    void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1;
        if (l >= size) {
          return;
        }
        int m = l + 1 < size && less(h[l + 1], h[l]) ? l + 1 : l;
        if (!less(h[m], h[i])) {
          return;
        }
        int t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
      }
    }
  }

  /** Accumulates points in time order; a column left out ({@code null}) is built as NaN. */
  private static final class Builder {
    long[] ts;
    double[][] c;
    int n;

    Builder(int cap) {
      this(cap, ALL_COLUMNS);
    }

    Builder(int cap, int columns) {
      ts = new long[cap];
      c = new double[6][];
      for (int k = 0; k < c.length; k++) {
        c[k] = (columns & (1 << k)) != 0 ? new double[cap] : null;
      }
    }

    void addRaw(long t, double v) {
      double inc = 0;
      if (n > 0 && c[5] != null) {
        double prev = c[4] != null ? c[4][n - 1] : Double.NaN;
        inc = v >= prev ? v - prev : v;
      }
      add(t, v, v, v, 1, v, inc);
    }

    void add(long t, double mn, double mx, double s, double cnt, double l, double inc) {
      if (n == ts.length) {
        grow(n * 2);
      }
      ts[n] = t;
      set(0, mn);
      set(1, mx);
      set(2, s);
      set(3, cnt);
      set(4, l);
      set(5, inc);
      n++;
    }

    private void set(int k, double v) {
      if (c[k] != null) {
        c[k][n] = v;
      }
    }

    private void grow(int cap) {
      ts = Arrays.copyOf(ts, cap);
      for (int k = 0; k < c.length; k++) {
        if (c[k] != null) {
          c[k] = Arrays.copyOf(c[k], cap);
        }
      }
    }

    /** Appends every point of {@code a} (all after the points so far), column by column. */
    void addAll(Aggregates a) {
      int m = a.size();
      if (n + m > ts.length) {
        grow(Math.max(n + m, n * 2));
      }
      System.arraycopy(a.timestamps, 0, ts, n, m);
      double[][] cols = {a.min, a.max, a.sum, a.count, a.last, a.increase};
      for (int k = 0; k < c.length; k++) {
        if (c[k] != null) {
          System.arraycopy(cols[k], 0, c[k], n, m);
        }
      }
      n += m;
    }

    Aggregates build() {
      double[] nans = null;
      double[][] out = new double[6][];
      for (int k = 0; k < c.length; k++) {
        if (c[k] == null) {
          if (nans == null) {
            nans = new double[n];
            Arrays.fill(nans, Double.NaN);
          }
          out[k] = nans;
        } else {
          out[k] = c[k].length == n ? c[k] : Arrays.copyOf(c[k], n);
        }
      }
      return new Aggregates(ts.length == n ? ts : Arrays.copyOf(ts, n), out[0], out[1], out[2],
          out[3], out[4], out[5]);
    }
  }
}
