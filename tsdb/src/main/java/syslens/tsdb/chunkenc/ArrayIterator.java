package syslens.tsdb.chunkenc;

import syslens.storage.SampleIterator;

/** A {@link SampleIterator} over parallel arrays sorted by timestamp. */
public final class ArrayIterator implements SampleIterator {
  private final long[] ts;
  private final double[] vs;
  private final int n;
  private int i = -1;

  public ArrayIterator(long[] ts, double[] vs, int n) {
    this.ts = ts;
    this.vs = vs;
    this.n = n;
  }

  @Override
  public boolean next() {
    if (i >= n) {
      return false;
    }
    return ++i < n;
  }

  @Override
  public boolean seek(long t) {
    if (i < 0) {
      i = 0;
    }
    if (i >= n) {
      return false;
    }
    if (ts[i] >= t) {
      return true;
    }
    int lo = i + 1;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    i = lo;
    return i < n;
  }

  @Override
  public long timestamp() {
    return ts[i];
  }

  @Override
  public double value() {
    return vs[i];
  }
}
