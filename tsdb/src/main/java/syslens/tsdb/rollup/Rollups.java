package syslens.tsdb.rollup;

import java.util.Arrays;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.chunkenc.RollupChunk.Column;

/**
 * Computes rollup points (docs/format/chunk.md, "Rollup chunk"): per interval
 * {@code [k*res, (k+1)*res)} that has samples, one point at the timestamp of its last sample with
 * min, max, sum, count, last and a reset-aware increase. Prometheus stale markers are skipped (as
 * range functions skip them); other NaNs are ignored by min/max unless every value is NaN, as in
 * Prometheus' {@code min_over_time}/{@code max_over_time}.
 *
 * <p>The increase of a point is the sum over consecutive samples (prev, cur) with cur in the
 * interval of {@code cur - prev}, or {@code cur} when cur < prev (a counter reset), so increases
 * of consecutive points add up exactly and no step between intervals is lost.
 */
public final class Rollups {
  /** Prometheus' stale marker (a NaN with this exact bit pattern). */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  private Rollups() {}

  static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
  }

  /** Rollups of raw samples [0, n) at resolution {@code res} ms. */
  public static RollupChunk.Points fromRaw(long[] ts, double[] vs, int n, long res) {
    Acc acc = new Acc(n);
    boolean havePrev = false;
    double prev = 0;
    for (int i = 0; i < n; i++) {
      double v = vs[i];
      if (isStale(v)) {
        continue;
      }
      double inc = 0;
      if (havePrev) {
        inc = v >= prev ? v - prev : v;
      }
      acc.add(Math.floorDiv(ts[i], res), ts[i], v, v, v, 1, v, inc);
      prev = v;
      havePrev = true;
    }
    return acc.finish();
  }

  /** Coarser rollups of rollup points (e.g. 1 h from 5 min); {@code res} a multiple of theirs. */
  public static RollupChunk.Points fromRollups(RollupChunk.Points p, long res) {
    Acc acc = new Acc(p.size());
    for (int i = 0; i < p.size(); i++) {
      acc.add(Math.floorDiv(p.timestamps()[i], res), p.timestamps()[i],
          p.column(Column.MIN)[i], p.column(Column.MAX)[i], p.column(Column.SUM)[i],
          p.column(Column.COUNT)[i], p.column(Column.LAST)[i], p.column(Column.INCREASE)[i]);
    }
    return acc.finish();
  }

  /** Accumulates points bucket by bucket (input in timestamp order). */
  private static final class Acc {
    final long[] ts;
    final double[][] cols = new double[RollupChunk.COLUMNS][];
    int n = -1;
    long bucket = Long.MIN_VALUE;

    Acc(int cap) {
      ts = new long[cap];
      for (int c = 0; c < cols.length; c++) {
        cols[c] = new double[cap];
      }
    }

    void add(long b, long t, double min, double max, double sum, double count, double last, double inc) {
      if (n < 0 || b != bucket) {
        n++;
        bucket = b;
        cols[0][n] = min;
        cols[1][n] = max;
        cols[2][n] = sum;
        cols[3][n] = count;
        cols[5][n] = inc;
      } else {
        if (min < cols[0][n] || Double.isNaN(cols[0][n])) {
          cols[0][n] = min;
        }
        if (max > cols[1][n] || Double.isNaN(cols[1][n])) {
          cols[1][n] = max;
        }
        cols[2][n] += sum;
        cols[3][n] += count;
        cols[5][n] += inc;
      }
      cols[4][n] = last;
      ts[n] = t;
    }

    RollupChunk.Points finish() {
      int size = n + 1;
      double[][] out = new double[cols.length][];
      for (int c = 0; c < cols.length; c++) {
        out[c] = Arrays.copyOf(cols[c], size);
      }
      return new RollupChunk.Points(Arrays.copyOf(ts, size), out);
    }
  }
}
