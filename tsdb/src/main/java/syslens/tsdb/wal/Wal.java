package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The write-ahead log: numbered segment files ({@code 00000001}, ...) in one directory, each a
 * sequence of framed records (see {@link Records} and docs/format/wal.md).
 *
 * <p>{@link #open} replays every segment; a damaged record is skipped and everything intact after
 * it is kept; a torn tail of the last segment is truncated. Writing then starts a fresh segment.
 * {@link #log} writes under a lock and returns a logical position; {@link #sync} fsyncs up to a
 * position, sharing one fsync among concurrent callers (group commit).
 *
 * <p>Failures never leave garbage that later records are written after:
 *
 * <ul>
 *   <li>a write that throws part-way is truncated back to the last good offset and reported; the
 *       log keeps accepting writes (disk full heals when space returns);
 *   <li>a failed fsync makes every position not yet known durable <em>lost</em>: {@link #sync}
 *       throws for them, {@link #log} refuses writes until {@link #recover} truncated the segment
 *       back to the last synced offset and started a new one (the caller first forgets, in
 *       memory, what it logged there);
 *   <li>when even that fails the log stops for good ({@link #problem()} says why).
 * </ul>
 *
 * <p>Locks: {@code syncLock} before {@code writeLock}, never the reverse. Every fsync runs under
 * {@code syncLock}, so no fsync can report success for data another one failed to write.
 */
public final class Wal implements AutoCloseable {
  static final System.Logger LOG = System.getLogger("syslens.tsdb.wal");
  public static final long DEFAULT_SEGMENT_SIZE = 128L << 20;
  /** Largest segment size accepted (segments are memory-mapped during replay). */
  public static final long MAX_SEGMENT_SIZE = 1L << 30;
  /** Largest single record payload accepted by {@link #log}. */
  public static final int MAX_RECORD_BYTES = 64 << 20;

  private final Path dir;
  private final long segmentSize;
  private final WalChannels channels;
  private final ReplayResult replay;
  private final ReentrantLock syncLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicLong synced = new AtomicLong();
  private final LongAdder fsyncs = new LongAdder();
  private final LongAdder writeErrors = new LongAdder();
  private final LongAdder syncErrors = new LongAdder();
  /** Position ranges (lo, hi] whose records were dropped after a failed fsync. */
  private final List<long[]> lost = new CopyOnWriteArrayList<>();
  // Guarded by writeLock.
  private FileChannel channel;
  private int segment;
  private long segmentBytes;
  private long segmentStart;
  private long written;
  // Volatile state read without locks.
  private volatile Target target;
  private volatile boolean closed;
  private volatile boolean recovering;
  private volatile String fatal;
  private volatile String writeProblem;
  private volatile String syncProblem;

  /** The channel being written and the log position reached when it was captured. */
  private record Target(FileChannel channel, long written) {}

  private Wal(Path dir, long segmentSize, WalChannels channels, ReplayResult replay, int lastSegment)
      throws IOException {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.channels = channels;
    this.replay = replay;
    this.segment = lastSegment;
    try {
      this.channel = newSegment();
    } catch (IOException e) {
      // E.g. a read-only file system: replayed data stays readable; writes retry the segment.
      writeProblem = "cannot create a segment in " + dir + ": " + e.getMessage();
      LOG.log(Level.ERROR, "WAL " + writeProblem + "; writes are refused until it can");
    }
    this.target = new Target(channel, 0);
  }

  /** As {@link #open(Path, long, WalChannels, Records.Handler)} with plain files. */
  public static Wal open(Path dir, long segmentSize, Records.Handler handler) throws IOException {
    return open(dir, segmentSize, WalChannels.DEFAULT, handler);
  }

  /** Creates {@code dir} if needed, replays its segments into {@code handler}, opens for writing. */
  public static Wal open(Path dir, long segmentSize, WalChannels channels, Records.Handler handler)
      throws IOException {
    return open(dir, segmentSize, channels, 0, handler);
  }

  /**
   * As {@link #open(Path, long, WalChannels, Records.Handler)}, replaying only segments numbered
   * {@code fromSegment} or higher (older ones are covered by a checkpoint).
   */
  public static Wal open(Path dir, long segmentSize, WalChannels channels, int fromSegment,
      Records.Handler handler) throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(channels, "channels");
    requireNonNull(handler, "handler");
    if (segmentSize < 1024 || segmentSize > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("segmentSize: " + segmentSize + " (expected: 1024.."
          + MAX_SEGMENT_SIZE + ")");
    }
    Files.createDirectories(dir);
    List<Path> all = segments(dir);
    List<Path> segments = all.stream()
        .filter(p -> Integer.parseInt(p.getFileName().toString()) >= fromSegment).toList();
    long records = 0;
    long bytes = 0;
    List<ReplayResult.Problem> problems = new ArrayList<>();
    Records.Decoder decoder = new Records.Decoder();
    for (int i = 0; i < segments.size(); i++) {
      Path seg = segments.get(i);
      SegmentReader.Outcome o = SegmentReader.read(seg, decoder, handler);
      records += o.records();
      bytes += o.validBytes();
      for (SegmentReader.Damage d : o.damage()) {
        problems.add(new ReplayResult.Problem(seg, d.offset(), d.length(), d.reason(), d.tail()));
        if (d.tail()) {
          LOG.log(i == segments.size() - 1 ? Level.WARNING : Level.ERROR, String.format(
              "WAL segment %s: %s at offset %d; nothing valid follows, truncating the segment there"
              + " (dropping %d bytes)", seg, d.reason(), d.offset(), d.length()));
        } else {
          LOG.log(Level.ERROR, String.format("WAL segment %s: %s at offset %d; skipped %d damaged"
              + " bytes, replay goes on with the intact records after them", seg, d.reason(),
              d.offset(), d.length()));
        }
      }
      long torn = o.tornTailAt();
      if (torn >= 0) {
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
          ch.truncate(torn);
          ch.force(true);
        } catch (IOException e) {
          LOG.log(Level.ERROR, "WAL segment " + seg + ": cannot truncate the torn tail ("
              + e.getMessage() + "); it is skipped again on the next open");
        }
      }
    }
    int lastNumber = Math.max(0, fromSegment - 1);
    for (Path p : all) {
      lastNumber = Math.max(lastNumber, Integer.parseInt(p.getFileName().toString()));
    }
    if (!segments.isEmpty() && Files.size(segments.get(segments.size() - 1)) == 0) {
      try {
        Files.delete(segments.get(segments.size() - 1)); // an open without writes; replaced below
      } catch (IOException e) {
        // read-only: harmless, an empty segment replays as nothing
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        // Segments set aside by earlier versions keep their numbers reserved.
        if (name.endsWith(".corrupt") && isSegmentName(name.substring(0, name.length() - 8))) {
          lastNumber = Math.max(lastNumber, Integer.parseInt(name.substring(0, 8)));
        }
      }
    }
    return new Wal(dir, segmentSize, channels,
        new ReplayResult(segments.size(), records, bytes, problems), lastNumber);
  }

  /** Segment files in order (names of 8 digits). */
  public static List<Path> segments(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> all = Files.list(dir)) {
      all.filter(p -> isSegmentName(p.getFileName().toString())).sorted().forEach(out::add);
    }
    return out;
  }

  private static boolean isSegmentName(String name) {
    return name.length() == 8 && name.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  public ReplayResult replayResult() {
    return replay;
  }

  /** The segment currently written. */
  public Path currentSegment() {
    writeLock.lock();
    try {
      return segmentPath(segment);
    } finally {
      writeLock.unlock();
    }
  }

  private Path segmentPath(int n) {
    return dir.resolve(String.format("%08d", n));
  }

  /** Creates the next segment; the counters move only once it exists. */
  private FileChannel newSegment() throws IOException {
    FileChannel ch = channels.create(segmentPath(segment + 1));
    segment++;
    segmentBytes = 0;
    segmentStart = written;
    syncDir();
    return ch;
  }

  private void syncDir() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every platform can fsync a directory; the segment data itself is still synced.
    }
  }

  /** One record to log. */
  public record Record(byte type, byte[] payload) {
    public Record {
      requireNonNull(payload, "payload");
    }
  }

  /**
   * Writes records (kept together in one segment) and returns the log position after them; pass
   * it to {@link #sync} to make them durable.
   *
   * @throws WalException when the log refuses writes (recovering, stopped, closed) or the write
   *     failed; in the latter case nothing of it remains in the segment
   */
  public long log(List<Record> records) throws IOException {
    int total = 0;
    for (Record r : records) {
      if (r.payload().length > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException("record payload: " + r.payload().length
            + " bytes (expected: <= " + MAX_RECORD_BYTES + ")");
      }
      total = Math.addExact(total, Records.HEADER_BYTES + r.payload().length);
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    for (Record r : records) {
      Records.frame(buf, r.type(), r.payload());
    }
    buf.flip();
    writeLock.lock();
    try {
      checkWritable();
      if (segmentBytes > 0 && segmentBytes + total > segmentSize) {
        // Rotation fsyncs: take the locks in order (sync, then write).
        writeLock.unlock();
        syncLock.lock();
        try {
          writeLock.lock();
          checkWritable();
          if (segmentBytes > 0 && segmentBytes + total > segmentSize) {
            rotate();
          }
        } finally {
          syncLock.unlock();
        }
      }
      if (channel == null) {
        try {
          channel = newSegment();
        } catch (IOException e) {
          writeErrors.increment();
          writeProblem = "cannot create a segment in " + dir + ": " + e.getMessage();
          throw new WalException("WAL " + writeProblem + " (nothing was stored)", e);
        }
      }
      FileChannel ch = channel;
      try {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      } catch (IOException e) {
        writeFailed(ch, total, e);
      }
      segmentBytes += total;
      written += total;
      target = new Target(ch, written);
      writeProblem = null;
      return written;
    } finally {
      writeLock.unlock();
    }
  }

  private void checkWritable() throws WalException {
    if (closed) {
      throw new WalException("WAL " + dir + " is closed");
    }
    String f = fatal;
    if (f != null) {
      throw new WalException("WAL " + dir + " stopped: " + f);
    }
    if (recovering) {
      throw new WalException("WAL " + dir + " is recovering from a failed fsync ("
          + syncProblem + "); retry");
    }
  }

  /** A write threw part-way: cut the segment back to the last good offset, or stop for good. */
  private void writeFailed(FileChannel ch, int total, IOException e) throws WalException {
    writeErrors.increment();
    Path seg = segmentPath(segment);
    try {
      ch.truncate(segmentBytes);
      ch.position(segmentBytes);
    } catch (IOException t) {
      e.addSuppressed(t);
      fatal = "write to " + seg + " failed (" + e.getMessage()
          + ") and the segment could not be truncated back to offset " + segmentBytes;
      LOG.log(Level.ERROR, "WAL stopped: " + fatal + "; no further writes are accepted", e);
      throw new WalException(fatal, e);
    }
    writeProblem = "write of " + total + " bytes to " + seg + " failed: " + e.getMessage();
    LOG.log(Level.ERROR, "WAL " + writeProblem + "; truncated back to offset " + segmentBytes
        + ", nothing of it was stored");
    throw new WalException("WAL " + writeProblem + " (nothing of it was stored)", e);
  }

  /** Needs syncLock and writeLock: forces the old segment, then switches to a new one. */
  private void rotate() throws IOException {
    FileChannel old = channel;
    force(old, written);
    FileChannel next = newSegment(); // if this throws, the old segment stays in use
    channel = next;
    target = new Target(next, written);
    try {
      old.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing a synced WAL segment failed: " + e.getMessage());
    }
  }

  /** Needs syncLock: fsyncs {@code ch}; on failure marks every unsynced position lost. */
  private void force(FileChannel ch, long upTo) throws WalException {
    try {
      ch.force(false);
    } catch (IOException e) {
      syncErrors.increment();
      recovering = true;
      syncProblem = "fsync of " + dir + " failed: " + e.getMessage();
      LOG.log(Level.ERROR, "WAL " + syncProblem + "; records after position " + synced.get()
          + " are lost and writes are held until the log recovers", e);
      throw new WalException("WAL " + syncProblem, e);
    }
    fsyncs.increment();
    synced.accumulateAndGet(upTo, Math::max);
    syncProblem = null;
  }

  /**
   * Returns once everything logged up to {@code position} is on stable storage.
   *
   * @throws WalException when that cannot be promised: the fsync failed, the position was lost
   *     in an earlier failure, or the log is stopped
   */
  public void sync(long position) throws IOException {
    checkNotLost(position);
    if (synced.get() >= position) {
      return;
    }
    syncLock.lock();
    try {
      checkNotLost(position);
      if (synced.get() >= position) {
        return; // another committer's fsync covered us
      }
      if (recovering || fatal != null) {
        throw new WalException("WAL " + dir + " cannot sync position " + position + ": "
            + (fatal != null ? fatal : syncProblem));
      }
      Target t = target;
      if (t.channel() != null) {
        force(t.channel(), t.written());
      }
    } finally {
      syncLock.unlock();
    }
  }

  private void checkNotLost(long position) throws WalException {
    for (long[] r : lost) {
      if (position > r[0] && position <= r[1]) {
        throw new WalException("WAL records up to position " + position
            + " were lost when an fsync failed; they were not stored");
      }
    }
  }

  /** Whether a failed fsync holds writes until {@link #recover()}. */
  public boolean recovering() {
    return recovering;
  }

  /**
   * After a failed fsync: truncates the current segment back to the last synced offset, starts a
   * new segment and accepts writes again. Positions in between stay lost for {@link #sync}.
   * Callers must first drop, in memory, whatever they logged after {@link #syncedPosition()}.
   * When the log cannot be repaired it stops for good.
   */
  public void recover() {
    syncLock.lock();
    writeLock.lock();
    try {
      if (!recovering || fatal != null || closed) {
        return;
      }
      long keep = synced.get() - segmentStart;
      Path seg = segmentPath(segment);
      try {
        channel.truncate(keep);
        channel.force(true);
        channel.close();
        lost.add(new long[] {synced.get(), written});
        synced.set(written); // everything up to here is now either durable or lost
        channel = newSegment();
        target = new Target(channel, written);
        recovering = false;
        LOG.log(Level.WARNING, String.format("WAL recovered: %s truncated to %d bytes, %d bytes of"
            + " unsynced records dropped, writing goes on in %s", seg, keep,
            lost.get(lost.size() - 1)[1] - lost.get(lost.size() - 1)[0], segmentPath(segment)));
      } catch (IOException e) {
        fatal = "recovery after a failed fsync could not truncate " + seg + " to " + keep
            + " bytes or start a new segment: " + e.getMessage();
        LOG.log(Level.ERROR, "WAL stopped: " + fatal + "; no further writes are accepted", e);
      }
    } finally {
      writeLock.unlock();
      syncLock.unlock();
    }
  }

  /**
   * Starts a new segment (after fsyncing the current one) unless the current one is still empty,
   * and returns its number: every record logged before this call is in a lower-numbered segment.
   */
  public int cut() throws IOException {
    syncLock.lock();
    writeLock.lock();
    try {
      checkWritable();
      if (channel == null) {
        channel = newSegment();
        target = new Target(channel, written);
      } else if (segmentBytes > 0) {
        rotate();
      }
      return segment;
    } finally {
      writeLock.unlock();
      syncLock.unlock();
    }
  }

  /** Deletes segment files numbered below {@code n} (covered by a checkpoint); returns how many. */
  public int deleteSegmentsBefore(int n) throws IOException {
    int deleted = 0;
    for (Path p : segments(dir)) {
      int number = Integer.parseInt(p.getFileName().toString());
      if (number < n && number != segment) {
        Files.deleteIfExists(p);
        deleted++;
      }
    }
    if (deleted > 0) {
      syncDir();
    }
    return deleted;
  }

  /** Highest position known durable. */
  public long syncedPosition() {
    return synced.get();
  }

  /** Whether {@code position} was dropped after a failed fsync. */
  public boolean isLost(long position) {
    try {
      checkNotLost(position);
      return false;
    } catch (WalException e) {
      return true;
    }
  }

  /**
   * Why the log cannot take or promise writes right now, or null when healthy: stopped for good,
   * recovering from a failed fsync, or the last write failed (e.g. the disk is full).
   */
  public String problem() {
    String f = fatal;
    if (f != null) {
      return "WAL stopped: " + f;
    }
    if (recovering) {
      return "WAL recovering: " + syncProblem;
    }
    String w = writeProblem;
    return w == null ? null : "WAL " + w;
  }

  public long bytesWritten() {
    writeLock.lock();
    try {
      return written;
    } finally {
      writeLock.unlock();
    }
  }

  public long fsyncs() {
    return fsyncs.sum();
  }

  public long writeErrors() {
    return writeErrors.sum();
  }

  public long syncErrors() {
    return syncErrors.sum();
  }

  @Override
  public void close() throws IOException {
    syncLock.lock();
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (channel == null) {
        return;
      }
      try {
        if (fatal == null && !recovering) {
          force(channel, written);
        }
      } finally {
        channel.close();
      }
    } finally {
      writeLock.unlock();
      syncLock.unlock();
    }
  }
}
