package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * One in-memory series: closed (immutable) chunks plus one open chunk, and the state of what was
 * logged for it.
 *
 * <p>Two views of the newest sample are kept apart. The <em>logged</em> state (newest timestamp
 * and value written to the WAL, and the WAL position holding it) is what commits check new
 * samples against; it is guarded by the head's commit lock. The <em>applied</em> state (the
 * chunks) only ever holds samples whose WAL records are durable: the head applies a commit after
 * its fsync, so a failed fsync can roll the logged state back to the applied one and nothing in
 * memory claims data the disk does not have.
 *
 * <p>Every access to the chunks holds this object's monitor; readers copy what they need (closed
 * chunk references plus a copy of the open chunk's bytes) so iteration happens without the lock.
 *
 * <p>A head holds millions of these, so every field is paid millions of times (docs/benchmarks.md,
 * "heap bytes per head series"): the head's options are read through {@link #head}, the closed
 * chunks are one field ({@link ChunkList}), and out-of-order state lives in a side object that
 * only series with out-of-order samples allocate.
 */
public final class MemSeries {
  /** Outcome of {@link #check}. */
  enum Check { APPEND, APPEND_OUT_OF_ORDER, NOOP, OUT_OF_ORDER, DUPLICATE }

  private final Labels labels;
  /** Set once when the head registers the series; 0 while it is a new series staged by an appender. */
  private long ref;
  /** Closed in-order chunks, oldest first ({@link ChunkList}: null, one, or an exact array). */
  private Object closed;
  /** The open chunk; it ends at the chunk range boundary after its first sample ({@link #openEnd}). */
  private XorChunk open;
  /** Where the open chunk's range ends (cached: the division is not paid per sample). */
  private long openEnd;
  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;
  private long lastValueBits;
  /** Out-of-order samples, null until the first one. */
  private OutOfOrderChunks ooo;

  // Logged state, guarded by the head's commit lock (volatile: appenders pre-check without it).
  private volatile boolean hasLogged;
  private volatile long loggedMaxT;
  private volatile long loggedBits;
  /** WAL position of the record holding the newest logged sample; 0 once durable. */
  long lastPos;
  /** Whether the WAL holds this series' SERIES record. */
  boolean logged;
  /** Set (under the commit lock) when the head dropped the series; appenders then re-resolve. */
  volatile boolean removed;
  /** Who created it (per-source limit), null when replayed or unattributed. */
  String source;
  /** While staged: it holds a reservation against the series limits. */
  boolean reservation;
  /**
   * The head that registered it (null while staged, and a staged series is never appended to):
   * what a labels memo is checked against, and where the chunk size and range are read.
   */
  Head head;

  MemSeries(long ref, Labels labels) {
    this.ref = ref;
    this.labels = labels;
  }

  public long ref() {
    return ref;
  }

  void assignRef(long r) {
    this.ref = r;
  }

  public Labels labels() {
    return labels;
  }

  /** Oldest applied sample's timestamp, Long.MAX_VALUE when empty. */
  public long minTime() {
    return minTime;
  }

  /** Newest applied sample's timestamp, Long.MIN_VALUE when empty. */
  public long maxTime() {
    return maxTime;
  }

  boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }

  /**
   * Checks a sample against the newest logged one; older samples within {@code oooWindow} of it
   * are taken out of order (0: none).
   */
  Check check(long t, long valueBits, long oooWindow) {
    if (!hasLogged || t > loggedMaxT) {
      return Check.APPEND;
    }
    if (t == loggedMaxT) {
      return valueBits == loggedBits ? Check.NOOP : Check.DUPLICATE;
    }
    return oooWindow > 0 && t >= loggedMaxT - oooWindow ? Check.APPEND_OUT_OF_ORDER : Check.OUT_OF_ORDER;
  }

  /** The same rule against a sample staged earlier in the same batch. */
  static Check checkAgainst(long t, long valueBits, long newestT, long newestBits, long oooWindow) {
    if (t > newestT) {
      return Check.APPEND;
    }
    if (t == newestT) {
      return valueBits == newestBits ? Check.NOOP : Check.DUPLICATE;
    }
    return oooWindow > 0 && t >= newestT - oooWindow ? Check.APPEND_OUT_OF_ORDER : Check.OUT_OF_ORDER;
  }

  /** Under the commit lock: the sample was written to the WAL at {@code pos}. */
  void logged(long t, double v, long pos) {
    loggedMaxT = t;
    loggedBits = Double.doubleToRawLongBits(v);
    hasLogged = true;
    lastPos = pos;
  }

  /** Under the commit lock: forgets logged samples that were never applied (lost in the WAL). */
  synchronized void rollbackToApplied() {
    hasLogged = maxTime != Long.MIN_VALUE;
    loggedMaxT = maxTime;
    loggedBits = lastValueBits;
    lastPos = 0;
  }

  /**
   * Drops chunks ending before {@code t} (persisted in a block); chunks are cut at block-range
   * boundaries, so none straddles {@code t} when it is one. The logged state stays: later
   * samples still have to be newer than the newest ever logged.
   */
  synchronized void dropBefore(long t) {
    closed = ChunkList.endingAtOrAfter(closed, t);
    if (open != null && open.maxTime() < t) {
      open = null;
    }
    long min = Long.MAX_VALUE;
    if (closed != null) {
      min = ChunkList.get(closed, 0).minTime();
    } else if (open != null) {
      min = open.minTime();
    }
    if (ooo != null) {
      min = Math.min(min, ooo.dropBefore(t));
    }
    minTime = min;
    if (min == Long.MAX_VALUE) {
      maxTime = Long.MIN_VALUE; // nothing left: the series is empty
    }
  }

  /** Whether no sample was ever applied. */
  synchronized boolean isEmpty() {
    return maxTime == Long.MIN_VALUE;
  }

  /**
   * Checkpoint load: the series' chunks as they were; the next sample starts a new chunk.
   * {@code lastValueBits} is the newest sample of the last in-order chunk (its maxTime).
   */
  synchronized void restore(List<ChunkMeta> chunks, List<ChunkMeta> outOfOrder, long lastValueBits) {
    if (!outOfOrder.isEmpty()) {
      if (ooo == null) {
        ooo = new OutOfOrderChunks();
      }
      ooo.restore(outOfOrder);
      for (ChunkMeta c : outOfOrder) {
        minTime = Math.min(minTime, c.minTime());
      }
    }
    if (chunks.isEmpty()) {
      return;
    }
    closed = ChunkList.concat(closed, chunks);
    long t = chunks.get(chunks.size() - 1).maxTime();
    minTime = Math.min(minTime, chunks.get(0).minTime());
    maxTime = t;
    this.lastValueBits = lastValueBits;
    loggedMaxT = t;
    loggedBits = lastValueBits;
    hasLogged = true;
    lastPos = 0;
  }

  /** For a checkpoint: this series' chunks (the open one copied) and newest value, or null when empty. */
  synchronized Checkpoint.SeriesState checkpointState() {
    List<ChunkMeta> chunks = chunks(Long.MIN_VALUE, Long.MAX_VALUE);
    if (chunks.isEmpty()) {
      return null;
    }
    return new Checkpoint.SeriesState(ref, labels, chunks, outOfOrderChunks(Long.MIN_VALUE, Long.MAX_VALUE),
        lastValueBits);
  }

  /**
   * Appends a durable sample (in log order). Cuts a chunk at chunkSize samples and at every
   * multiple of the chunk range, so a block cut at those boundaries never splits a chunk.
   */
  synchronized void append(long t, double v) {
    if (open == null) {
      open = XorChunk.create();
      openEnd = rangeEnd(t);
    } else if (t >= openEnd || open.numSamples() >= head.options().chunkSize()) {
      closed = ChunkList.with(closed, new ChunkMeta(open.minTime(), open.maxTime(), open.bytes()));
      open = XorChunk.create();
      openEnd = rangeEnd(t);
    }
    open.append(t, v);
    lastValueBits = Double.doubleToRawLongBits(v);
    if (minTime == Long.MAX_VALUE) {
      minTime = t;
    }
    maxTime = t;
  }

  /**
   * Appends a durable out-of-order sample: kept sorted beside the in-order chunks (encoded into
   * chunks of chunkSize samples) and merged with them on read; an identical timestamp already in
   * the open out-of-order run is not added twice.
   */
  synchronized void appendOutOfOrder(long t, double v) {
    if (ooo == null) {
      ooo = new OutOfOrderChunks();
    }
    ooo.append(t, v, head.options().chunkSize());
    if (t < minTime) {
      minTime = t;
    }
  }

  /** Out-of-order chunks overlapping [mint, maxt] (the open run encoded as a copy). */
  synchronized List<ChunkMeta> outOfOrderChunks(long mint, long maxt) {
    return ooo == null ? List.of() : ooo.chunks(mint, maxt);
  }

  /** WAL replay: the sample is durable and applied at once. */
  void replay(long t, double v) {
    append(t, v);
    logged(t, v, 0);
  }

  /** The end of the chunk range holding {@code t}: the open chunk started at {@code t} ends there. */
  private long rangeEnd(long t) {
    long chunkRange = head.options().chunkRange();
    long start = Math.floorDiv(t, chunkRange) * chunkRange;
    return start > Long.MAX_VALUE - chunkRange ? Long.MAX_VALUE : start + chunkRange;
  }

  /** The chunks overlapping [mint, maxt], oldest first; the open chunk is copied. */
  synchronized List<ChunkMeta> chunks(long mint, long maxt) {
    List<ChunkMeta> out = new ArrayList<>();
    ChunkList.overlapping(closed, mint, maxt, out);
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
    return ChunkList.asList(closed);
  }
}
