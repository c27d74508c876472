package syslens.query;

import java.util.List;
import syslens.storage.Aggregates;
import syslens.storage.Labels;

/** A value during evaluation at one step. */
sealed interface Val {
  record Sca(double v) implements Val {}

  record Str(String s) implements Val {}

  /** An instant vector; {@code t} of each sample is its source timestamp (for timestamp()). */
  record Vec(List<Sample> samples) implements Val {}

  /** A range vector: each series' non-stale samples in the selector's window. */
  record Mat(List<Window> series) implements Val {}

  record Sample(Labels labels, double v, long t) {}

  /**
   * A range vector's series at one step: points {@code from} (inclusive) to {@code to}
   * (exclusive) of the arrays, which may be a loaded series' own arrays (a view, no copy).
   * {@code src} is the loaded series it views (null for computed windows); when that came from
   * a rollup tier, {@link #agg()} gives its columns ({@code vs} is the {@code last} column).
   */
  record Window(Labels labels, long[] ts, double[] vs, int from, int to, LoadedSeries src) {
    Window(Labels labels, long[] ts, double[] vs) {
      this(labels, ts, vs, 0, ts.length, null);
    }

    Window(Labels labels, long[] ts, double[] vs, int from, int to) {
      this(labels, ts, vs, from, to, null);
    }

    /** The rollup columns, index-aligned with {@code ts}, or null for raw samples. */
    Aggregates agg() {
      return src == null ? null : src.agg();
    }

    int size() {
      return to - from;
    }

    long t(int i) {
      return ts[from + i];
    }

    double v(int i) {
      return vs[from + i];
    }

    /** A copy of the values. */
    double[] values() {
      return java.util.Arrays.copyOfRange(vs, from, to);
    }
  }
}
