package syslens.query;

import java.util.Arrays;
import syslens.storage.Aggregates;
import syslens.storage.Labels;

/**
 * One series' samples (stale markers included), loaded once per query, in time order.
 * {@code hasStale} tells whether any value is a stale marker (windows then need filtering).
 * {@code agg} is non-null for a series read from a rollup tier: per-interval aggregates whose
 * timestamps are {@code ts} and whose {@code last} column is {@code vs}. Its labels without the
 * metric name are computed once per query, on first use (not once per step).
 */
final class LoadedSeries {
  private final Labels labels;
  private final long[] ts;
  private final double[] vs;
  private final boolean hasStale;
  private final Aggregates agg;
  private Labels withoutName;
  private byte resets; // 0 unknown, 1 none, 2 some

  LoadedSeries(Labels labels, long[] ts, double[] vs, boolean hasStale, Aggregates agg) {
    this.labels = labels;
    this.ts = ts;
    this.vs = vs;
    this.hasStale = hasStale;
    this.agg = agg;
  }

  /** A series of the first {@code n} points of the arrays (copied when longer). */
  static LoadedSeries of(Labels labels, long[] ts, double[] vs, int n) {
    boolean stale = false;
    for (int i = 0; i < n && !stale; i++) {
      stale = StaleNaN.is(vs[i]);
    }
    return new LoadedSeries(labels, n == ts.length ? ts : Arrays.copyOf(ts, n),
        n == vs.length ? vs : Arrays.copyOf(vs, n), stale, null);
  }

  /** A rollup series: its points in [from, to) of {@code a}. */
  static LoadedSeries ofAggregates(Labels labels, Aggregates a, int from, int to) {
    Aggregates s = from == 0 && to == a.size() ? a : new Aggregates(
        Arrays.copyOfRange(a.timestamps(), from, to), Arrays.copyOfRange(a.min(), from, to),
        Arrays.copyOfRange(a.max(), from, to), Arrays.copyOfRange(a.sum(), from, to),
        Arrays.copyOfRange(a.count(), from, to), Arrays.copyOfRange(a.last(), from, to),
        Arrays.copyOfRange(a.increase(), from, to));
    return new LoadedSeries(labels, s.timestamps(), s.last(), false, s);
  }

  Labels labels() {
    return labels;
  }

  long[] ts() {
    return ts;
  }

  double[] vs() {
    return vs;
  }

  boolean hasStale() {
    return hasStale;
  }

  Aggregates agg() {
    return agg;
  }

  /** Whether no value is lower than the one before it (no counter reset); computed once. */
  boolean monotonic() {
    if (resets == 0) {
      boolean none = true;
      for (int i = 1; i < vs.length && none; i++) {
        none = !(vs[i] < vs[i - 1]);
      }
      resets = (byte) (none ? 1 : 2);
    }
    return resets == 1;
  }

  /** The labels without {@code __name__}, interned in {@code cache}; computed once. */
  Labels withoutName(LabelCache cache) {
    Labels r = withoutName;
    if (r == null) {
      r = cache.withoutName(labels);
      withoutName = r;
    }
    return r;
  }
}
