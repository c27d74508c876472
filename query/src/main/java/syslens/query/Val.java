package syslens.query;

import java.util.List;
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

  record Window(Labels labels, long[] ts, double[] vs) {
    int size() {
      return ts.length;
    }
  }
}
