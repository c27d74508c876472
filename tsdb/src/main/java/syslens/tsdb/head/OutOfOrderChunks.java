package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * A series' out-of-order samples: closed sorted chunks plus an open sorted run. Allocated on a
 * series' first out-of-order sample (or restored chunk) only, so that the millions of series that
 * never get one pay one null reference instead of four fields. Guarded by the series' monitor.
 */
final class OutOfOrderChunks {
  /** Closed chunks (see {@link ChunkList}). */
  private Object closed;
  private long[] ts;
  private double[] vs;
  private int n;

  /**
   * Adds a sample, kept sorted; an identical timestamp already in the open run is not added twice.
   * At {@code chunkSize} samples the run is encoded into a closed chunk.
   */
  void append(long t, double v, int chunkSize) {
    if (ts == null) {
      ts = new long[8];
      vs = new double[8];
    }
    int at = Arrays.binarySearch(ts, 0, n, t);
    if (at >= 0) {
      return;
    }
    at = -at - 1;
    if (n == ts.length) {
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    System.arraycopy(ts, at, ts, at + 1, n - at);
    System.arraycopy(vs, at, vs, at + 1, n - at);
    ts[at] = t;
    vs[at] = v;
    n++;
    if (n >= chunkSize) {
      closed = ChunkList.with(closed, encode(ts, vs, n));
      n = 0;
    }
  }

  /** Restored closed chunks. */
  void restore(List<ChunkMeta> chunks) {
    closed = ChunkList.concat(closed, chunks);
  }

  /** Drops what ends before {@code t}; returns the oldest timestamp left, Long.MAX_VALUE when none. */
  long dropBefore(long t) {
    closed = ChunkList.endingAtOrAfter(closed, t);
    if (n > 0) {
      int keep = 0;
      for (int i = 0; i < n; i++) {
        if (ts[i] >= t) {
          ts[keep] = ts[i];
          vs[keep] = vs[i];
          keep++;
        }
      }
      n = keep;
    }
    return minTime();
  }

  /** Oldest timestamp held, Long.MAX_VALUE when none. */
  long minTime() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < ChunkList.size(closed); i++) {
      min = Math.min(min, ChunkList.get(closed, i).minTime());
    }
    return n > 0 ? Math.min(min, ts[0]) : min;
  }

  /** Chunks overlapping [mint, maxt] (the open run encoded as a copy). */
  List<ChunkMeta> chunks(long mint, long maxt) {
    if (ChunkList.size(closed) == 0 && n == 0) {
      return List.of();
    }
    List<ChunkMeta> out = new ArrayList<>();
    ChunkList.overlapping(closed, mint, maxt, out);
    if (n > 0 && ts[0] <= maxt && ts[n - 1] >= mint) {
      out.add(encode(ts, vs, n));
    }
    return out;
  }

  private static ChunkMeta encode(long[] ts, double[] vs, int n) {
    XorChunk c = XorChunk.create();
    for (int i = 0; i < n; i++) {
      c.append(ts[i], vs[i]);
    }
    return new ChunkMeta(c.minTime(), c.maxTime(), c.bytes());
  }
}
