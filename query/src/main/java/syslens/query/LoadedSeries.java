package syslens.query;

import java.util.Arrays;
import syslens.storage.Labels;

/**
 * One series' samples (stale markers included), loaded once per query, in time order.
 * {@code hasStale} tells whether any value is a stale marker (windows then need filtering).
 */
record LoadedSeries(Labels labels, long[] ts, double[] vs, boolean hasStale) {
  /** A series of the first {@code n} points of the arrays (copied when longer). */
  static LoadedSeries of(Labels labels, long[] ts, double[] vs, int n) {
    boolean stale = false;
    for (int i = 0; i < n && !stale; i++) {
      stale = StaleNaN.is(vs[i]);
    }
    return new LoadedSeries(labels, n == ts.length ? ts : Arrays.copyOf(ts, n),
        n == vs.length ? vs : Arrays.copyOf(vs, n), stale);
  }
}
