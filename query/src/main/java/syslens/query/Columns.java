package syslens.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import syslens.query.Val.Sample;
import syslens.query.Val.Vec;
import syslens.storage.Labels;

/**
 * An instant-vector expression's value at every step of a grid, computed series by series (see
 * {@link ColumnEvaluator}): one row per output series with its value at each step it has one.
 * Per-step consumers read one step at a time through {@link #vectorAt}.
 */
final class Columns {
  /** The steps: start, start + step, ... (one step when {@code step} is 0, an instant query). */
  record Grid(long start, long step, int steps) {
    static Grid of(long start, long end, long step) {
      if (step == 0 || end <= start) {
        return new Grid(start, 0, 1);
      }
      return new Grid(start, step, Math.toIntExact((end - start) / step + 1));
    }

    long t(int k) {
      return start + k * step;
    }

    /** The index of step {@code t}; -1 when t is not a step of this grid. */
    int index(long t) {
      if (step == 0) {
        return t == start ? 0 : -1;
      }
      long d = t - start;
      if (d < 0 || d % step != 0 || d / step >= steps) {
        return -1;
      }
      return (int) (d / step);
    }
  }

  /** One output series: its labels and its value at the steps flagged in {@code present}. */
  static final class Row {
    final Labels labels;
    final double[] v;
    final long[] present;
    /** For aggregation results: per step, the first input row of the group (Prometheus' order). */
    int[] first;

    Row(Labels labels, int steps) {
      this.labels = labels;
      this.v = new double[steps];
      this.present = new long[(steps + 63) >>> 6];
    }

    Row(Labels labels, double[] v, long[] present) {
      this.labels = labels;
      this.v = v;
      this.present = present;
    }

    boolean has(int k) {
      return (present[k >>> 6] & (1L << k)) != 0;
    }

    void set(int k, double x) {
      v[k] = x;
      present[k >>> 6] |= 1L << k;
    }

    int count() {
      int n = 0;
      for (long w : present) {
        n += Long.bitCount(w);
      }
      return n;
    }

    boolean overlaps(Row o) {
      for (int i = 0; i < present.length; i++) {
        if ((present[i] & o.present[i]) != 0) {
          return true;
        }
      }
      return false;
    }

    /** Adds {@code o}'s steps (which this row does not have). */
    void merge(Row o) {
      for (int k = 0; k < v.length; k++) {
        if (o.has(k)) {
          set(k, o.v[k]);
        }
      }
    }
  }

  final Grid grid;
  final List<Row> rows;

  Columns(Grid grid, List<Row> rows) {
    this.grid = grid;
    this.rows = rows;
  }

  /**
   * The vector at step {@code t}, ordered as the per-step evaluation orders it: input series
   * order, groups of an aggregation by their first member present at that step.
   */
  Vec vectorAt(long t) {
    int k = grid.index(t);
    if (k < 0) {
      throw new IllegalStateException("step " + t + " (expected: a step of " + grid + ")");
    }
    List<Row> present = new ArrayList<>(rows.size());
    boolean ordered = false;
    for (Row r : rows) {
      if (r.has(k)) {
        present.add(r);
        ordered |= r.first != null;
      }
    }
    if (ordered && present.size() > 1) {
      long[] keys = new long[present.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = ((long) present.get(i).first[k] << 32) | i;
      }
      Arrays.sort(keys);
      List<Row> sorted = new ArrayList<>(present.size());
      for (long key : keys) {
        sorted.add(present.get((int) key));
      }
      present = sorted;
    }
    List<Sample> out = new ArrayList<>(present.size());
    for (Row r : present) {
      out.add(new Sample(r.labels, r.v[k], t));
    }
    return new Vec(out);
  }
}
