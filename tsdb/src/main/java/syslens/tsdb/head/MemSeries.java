package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * One in-memory series: closed (immutable) chunks plus one open chunk. Every access to the chunks
 * holds this object's monitor; readers copy what they need (closed chunk references plus a copy
 * of the open chunk's bytes) so iteration happens without the lock.
 */
public final class MemSeries {
  /** Outcome of {@link #check}. */
  enum Check { APPEND, NOOP, OUT_OF_ORDER, DUPLICATE }

  private final long ref;
  private final Labels labels;
  private final int chunkSize;
  private final List<ChunkMeta> closed = new ArrayList<>();
  private XorChunk open;
  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;
  private long lastValueBits;
  /** Whether the WAL already holds this series' SERIES record; guarded by the head's commit lock. */
  boolean logged;

  MemSeries(long ref, Labels labels, int chunkSize) {
    this.ref = ref;
    this.labels = labels;
    this.chunkSize = chunkSize;
  }

  public long ref() {
    return ref;
  }

  public Labels labels() {
    return labels;
  }

  /** Oldest sample's timestamp, Long.MAX_VALUE when empty. */
  public long minTime() {
    return minTime;
  }

  /** Newest sample's timestamp, Long.MIN_VALUE when empty. */
  public long maxTime() {
    return maxTime;
  }

  boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }

  synchronized Check check(long t, long valueBits) {
    if (open == null || t > maxTime) {
      return Check.APPEND;
    }
    if (t < maxTime) {
      return Check.OUT_OF_ORDER;
    }
    return valueBits == lastValueBits ? Check.NOOP : Check.DUPLICATE;
  }

  /** Appends a sample the caller has {@link #check checked}; cuts a chunk at chunkSize samples. */
  synchronized void append(long t, double v) {
    if (open == null) {
      open = XorChunk.create();
    } else if (open.numSamples() >= chunkSize) {
      closed.add(new ChunkMeta(open.minTime(), open.maxTime(), open.bytes()));
      open = XorChunk.create();
    }
    open.append(t, v);
    lastValueBits = Double.doubleToRawLongBits(v);
    if (minTime == Long.MAX_VALUE) {
      minTime = t;
    }
    maxTime = t;
  }

  /** The chunks overlapping [mint, maxt], oldest first; the open chunk is copied. */
  synchronized List<ChunkMeta> chunks(long mint, long maxt) {
    List<ChunkMeta> out = new ArrayList<>();
    for (ChunkMeta c : closed) {
      if (c.overlaps(mint, maxt)) {
        out.add(c);
      }
    }
    if (open != null && open.numSamples() > 0 && open.minTime() <= maxt && open.maxTime() >= mint) {
      out.add(new ChunkMeta(open.minTime(), open.maxTime(), open.bytes()));
    }
    return out;
  }

  /**
   * Seam for blocks: the closed (full, immutable) chunks, oldest first. A block writer persists
   * these; a later head truncation drops them.
   */
  public synchronized List<ChunkMeta> closedChunks() {
    return List.copyOf(closed);
  }
}
