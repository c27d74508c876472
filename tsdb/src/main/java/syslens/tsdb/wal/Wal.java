package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The write-ahead log: numbered segment files ({@code 00000001}, ...) in one directory, each a
 * sequence of framed records (see {@link Records} and docs/format/wal.md).
 *
 * <p>{@link #open} replays every segment, repairs the tail (a torn or corrupt record is cut off;
 * corruption in an earlier segment stops replay and sets later segments aside), then starts a
 * fresh segment for writing. {@link #log} writes under a lock and returns a position; {@link
 * #sync} fsyncs up to a position, sharing one fsync among concurrent callers (group commit).
 *
 * <p>Seam: checkpointing and deleting old segments come with blocks ({@link #segments()} lists
 * what exists; a checkpoint would rewrite the live series of the oldest segments, then delete them).
 */
public final class Wal implements AutoCloseable {
  static final System.Logger LOG = System.getLogger("syslens.tsdb.wal");
  public static final long DEFAULT_SEGMENT_SIZE = 128L << 20;
  public static final String CORRUPT_SUFFIX = ".corrupt";

  private final Path dir;
  private final long segmentSize;
  private final ReplayResult replay;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final AtomicLong synced = new AtomicLong();
  private final LongAdder fsyncs = new LongAdder();
  private volatile Target target;
  private int segment;
  private long segmentBytes;
  private long written;
  private volatile boolean closed;

  /** The channel being written and the log position reached when it was captured. */
  private record Target(FileChannel channel, long written) {}

  private Wal(Path dir, long segmentSize, ReplayResult replay, int lastSegment) throws IOException {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.replay = replay;
    this.segment = lastSegment;
    this.target = new Target(newSegment(), 0);
  }

  /** Creates {@code dir} if needed, replays its segments into {@code handler}, opens for writing. */
  public static Wal open(Path dir, long segmentSize, Records.Handler handler) throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(handler, "handler");
    if (segmentSize < 1024) {
      throw new IllegalArgumentException("segmentSize: " + segmentSize + " (expected: >= 1024)");
    }
    Files.createDirectories(dir);
    List<Path> segments = segments(dir);
    long records = 0;
    long bytes = 0;
    ReplayResult.Problem problem = null;
    for (int i = 0; i < segments.size() && problem == null; i++) {
      Path seg = segments.get(i);
      SegmentReader.Outcome o = SegmentReader.read(seg, handler);
      records += o.records();
      bytes += o.validBytes();
      if (o.problem() != null) {
        boolean last = i == segments.size() - 1;
        problem = new ReplayResult.Problem(seg, o.validBytes(), o.problem(), last,
            o.fileSize() - o.validBytes());
        repair(segments, i, problem);
      }
    }
    if (!segments.isEmpty() && problem == null) {
      Path last = segments.get(segments.size() - 1);
      if (Files.size(last) == 0) {
        Files.delete(last); // left by an open without writes; the new segment replaces it
      }
    }
    int lastNumber = 0;
    try (Stream<Path> all = Files.list(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String name = p.getFileName().toString();
        String digits = name.endsWith(CORRUPT_SUFFIX)
            ? name.substring(0, name.length() - CORRUPT_SUFFIX.length()) : name;
        if (isSegmentName(digits)) {
          lastNumber = Math.max(lastNumber, Integer.parseInt(digits));
        }
      }
    }
    return new Wal(dir, segmentSize, new ReplayResult(segments.size(), records, bytes, problem), lastNumber);
  }

  private static void repair(List<Path> segments, int index, ReplayResult.Problem p) throws IOException {
    Path seg = p.segment();
    if (p.lastSegment()) {
      LOG.log(Level.WARNING, String.format(
          "WAL segment %s: %s at offset %d; truncating the segment there (dropping %d bytes)",
          seg, p.reason(), p.offset(), p.droppedBytes()));
    } else {
      LOG.log(Level.ERROR, String.format("WAL segment %s: %s at offset %d; replay stopped there,"
          + " keeping what was read; a copy of the segment and %d later segment(s) are set aside"
          + " as *%s", seg, p.reason(), p.offset(), segments.size() - index - 1, CORRUPT_SUFFIX));
      Path copy = seg.resolveSibling(seg.getFileName() + CORRUPT_SUFFIX);
      Files.copy(seg, copy, StandardCopyOption.REPLACE_EXISTING);
      for (int j = index + 1; j < segments.size(); j++) {
        Path later = segments.get(j);
        Files.move(later, later.resolveSibling(later.getFileName() + CORRUPT_SUFFIX),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(p.offset());
      ch.force(true);
    }
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
    return dir.resolve(String.format("%08d", segment));
  }

  private FileChannel newSegment() throws IOException {
    segment++;
    FileChannel ch = FileChannel.open(currentSegment(), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    segmentBytes = 0;
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
   */
  public long log(List<Record> records) throws IOException {
    int total = 0;
    for (Record r : records) {
      total += Records.HEADER_BYTES + r.payload().length;
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    for (Record r : records) {
      Records.frame(buf, r.type(), r.payload());
    }
    buf.flip();
    writeLock.lock();
    try {
      if (closed) {
        throw new ClosedChannelException();
      }
      if (segmentBytes > 0 && segmentBytes + total > segmentSize) {
        rotate();
      }
      FileChannel ch = target.channel();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      segmentBytes += total;
      written += total;
      target = new Target(ch, written);
      return written;
    } finally {
      writeLock.unlock();
    }
  }

  private void rotate() throws IOException {
    FileChannel old = target.channel();
    old.force(false);
    fsyncs.increment();
    synced.accumulateAndGet(written, Math::max);
    old.close();
    target = new Target(newSegment(), written);
  }

  /** Returns once everything logged up to {@code position} is on stable storage. */
  public void sync(long position) throws IOException {
    if (synced.get() >= position) {
      return;
    }
    syncLock.lock();
    try {
      if (synced.get() >= position) {
        return; // another committer's fsync covered us
      }
      Target t = target;
      try {
        t.channel().force(false);
      } catch (ClosedChannelException e) {
        if (closed) {
          throw e;
        }
        // Rotated meanwhile: rotation forced the old segment before closing it.
      }
      fsyncs.increment();
      synced.accumulateAndGet(t.written(), Math::max);
    } finally {
      syncLock.unlock();
    }
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

  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      FileChannel ch = target.channel();
      ch.force(false);
      fsyncs.increment();
      synced.accumulateAndGet(written, Math::max);
      ch.close();
    } finally {
      writeLock.unlock();
    }
  }
}
