package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.Arrays;
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
 */
public final class MemSeries {
  /** Outcome of {@link #check}. */
  enum Check { APPEND, APPEND_OUT_OF_ORDER, NOOP, OUT_OF_ORDER, DUPLICATE }

  private static final ChunkMeta[] NO_CHUNKS = new ChunkMeta[0];

  private final Labels labels;
  /** The head's options (chunk size and range): one shared reference, not two fields per series. */
  private final HeadOptions opts;
  /** Set once when the head registers the series; 0 while it is a new series staged by an appender. */
  private long ref;
  /** Closed in-order chunks, oldest first, exactly sized (a series holds a handful). */
  private ChunkMeta[] closed = NO_CHUNKS;
  /** The open chunk; it ends at the chunk range boundary after its first sample ({@link #rangeEnd}). */
  private XorChunk open;
  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;
  private long lastValueBits;
  /** Out-of-order samples: closed sorted chunks plus an open sorted run. */
  private ChunkMeta[] oooClosed = NO_CHUNKS;
  private long[] oooT;
  private double[] oooV;
  private int oooN;

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
  /** The head that registered it (null while staged): what a labels memo is checked against. */
  Head head;

  MemSeries(long ref, Labels labels, HeadOptions opts) {
    this.ref = ref;
    this.labels = labels;
    this.opts = opts;
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
    closed = endingAtOrAfter(closed, t);
    if (open != null && open.maxTime() < t) {
      open = null;
    }
    oooClosed = endingAtOrAfter(oooClosed, t);
    if (oooN > 0) {
      int keep = 0;
      for (int i = 0; i < oooN; i++) {
        if (oooT[i] >= t) {
          oooT[keep] = oooT[i];
          oooV[keep] = oooV[i];
          keep++;
        }
      }
      oooN = keep;
    }
    long min = Long.MAX_VALUE;
    if (closed.length > 0) {
      min = closed[0].minTime();
    } else if (open != null) {
      min = open.minTime();
    }
    for (ChunkMeta c : oooClosed) {
      min = Math.min(min, c.minTime());
    }
    if (oooN > 0) {
      min = Math.min(min, oooT[0]);
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
      oooClosed = concat(oooClosed, outOfOrder);
      for (ChunkMeta c : outOfOrder) {
        minTime = Math.min(minTime, c.minTime());
      }
    }
    if (chunks.isEmpty()) {
      return;
    }
    closed = concat(closed, chunks);
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
    } else if (open.numSamples() >= opts.chunkSize() || t >= rangeEnd(open.minTime())) {
      closed = with(closed, new ChunkMeta(open.minTime(), open.maxTime(), open.bytes()));
      open = XorChunk.create();
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
    if (oooT == null) {
      oooT = new long[8];
      oooV = new double[8];
    }
    int at = java.util.Arrays.binarySearch(oooT, 0, oooN, t);
    if (at >= 0) {
      return;
    }
    at = -at - 1;
    if (oooN == oooT.length) {
      oooT = java.util.Arrays.copyOf(oooT, oooN * 2);
      oooV = java.util.Arrays.copyOf(oooV, oooN * 2);
    }
    System.arraycopy(oooT, at, oooT, at + 1, oooN - at);
    System.arraycopy(oooV, at, oooV, at + 1, oooN - at);
    oooT[at] = t;
    oooV[at] = v;
    oooN++;
    if (oooN >= opts.chunkSize()) {
      oooClosed = with(oooClosed, encode(oooT, oooV, oooN));
      oooN = 0;
    }
    if (t < minTime) {
      minTime = t;
    }
  }

  private static ChunkMeta encode(long[] ts, double[] vs, int n) {
    XorChunk c = XorChunk.create();
    for (int i = 0; i < n; i++) {
      c.append(ts[i], vs[i]);
    }
    return new ChunkMeta(c.minTime(), c.maxTime(), c.bytes());
  }

  /** Out-of-order chunks overlapping [mint, maxt] (the open run encoded as a copy). */
  synchronized List<ChunkMeta> outOfOrderChunks(long mint, long maxt) {
    if (oooClosed.length == 0 && oooN == 0) {
      return List.of();
    }
    List<ChunkMeta> out = new ArrayList<>();
    for (ChunkMeta c : oooClosed) {
      if (c.overlaps(mint, maxt)) {
        out.add(c);
      }
    }
    if (oooN > 0 && oooT[0] <= maxt && oooT[oooN - 1] >= mint) {
      out.add(encode(oooT, oooV, oooN));
    }
    return out;
  }

  /** WAL replay: the sample is durable and applied at once. */
  void replay(long t, double v) {
    append(t, v);
    logged(t, v, 0);
  }

  private long rangeEnd(long t) {
    long chunkRange = opts.chunkRange();
    long start = Math.floorDiv(t, chunkRange) * chunkRange;
    return start > Long.MAX_VALUE - chunkRange ? Long.MAX_VALUE : start + chunkRange;
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
    return List.of(closed);
  }

  private static ChunkMeta[] with(ChunkMeta[] chunks, ChunkMeta c) {
    ChunkMeta[] out = Arrays.copyOf(chunks, chunks.length + 1);
    out[chunks.length] = c;
    return out;
  }

  private static ChunkMeta[] concat(ChunkMeta[] chunks, List<ChunkMeta> more) {
    ChunkMeta[] out = Arrays.copyOf(chunks, chunks.length + more.size());
    for (int i = 0; i < more.size(); i++) {
      out[chunks.length + i] = more.get(i);
    }
    return out;
  }

  /** The chunks ending at or after {@code t} (the same array when that is all of them). */
  private static ChunkMeta[] endingAtOrAfter(ChunkMeta[] chunks, long t) {
    int keep = 0;
    for (ChunkMeta c : chunks) {
      keep += c.maxTime() < t ? 0 : 1;
    }
    if (keep == chunks.length) {
      return chunks;
    }
    if (keep == 0) {
      return NO_CHUNKS;
    }
    ChunkMeta[] out = new ChunkMeta[keep];
    int i = 0;
    for (ChunkMeta c : chunks) {
      if (c.maxTime() >= t) {
        out[i++] = c;
      }
    }
    return out;
  }
}
