package syslens.query;

import syslens.storage.Labels;

/** One series' samples (stale markers included), loaded once per query, in time order. */
record LoadedSeries(Labels labels, long[] ts, double[] vs) {
  /** Index of the last sample with timestamp <= t, or -1. */
  int lastAtOrBefore(long t) {
    int lo = 0;
    int hi = ts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi;
  }

  /** Index of the first sample with timestamp >= t (ts.length when none). */
  int firstAtOrAfter(long t) {
    int lo = 0;
    int hi = ts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
