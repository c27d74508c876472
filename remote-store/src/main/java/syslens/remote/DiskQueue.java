package syslens.remote;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write buffer in front of the remote store: an append-only log of encoded remote-write
 * requests in segment files, read in order by the sender, which acknowledges what the store took.
 * Everything between the acknowledged position and the end is pending; it survives restarts (the
 * acknowledged position is the {@code cursor} file) and is bounded in bytes. Format (docs/format/
 * remote-queue.md): segment files named by the queue position of their first byte ({@code
 * %020d.seg}); a record is {@code length u32, samples u32, crc32c u32} (big-endian; the CRC covers
 * samples and payload) and the payload, one encoded {@code WriteRequest}. A torn record at the end
 * of the last segment (a crash mid-append) is cut on open; a corrupt record elsewhere costs the rest
 * of its segment, counted, never what follows.
 */
final class DiskQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DiskQueue.class);
  static final int HEADER = 12;
  /** The largest record accepted (a payload over this on disk is corruption). */
  static final int MAX_RECORD = 64 * 1024 * 1024;

  /** Records read from the queue: payloads, their samples, and where the next read starts. */
  record Batch(List<byte[]> payloads, int samples, long end, long corruptBytes) {
    boolean isEmpty() {
      return payloads.isEmpty();
    }

    int bytes() {
      int n = 0;
      for (byte[] p : payloads) {
        n += p.length;
      }
      return n;
    }
  }

  /** The queue is full: nothing was appended. */
  static final class FullException extends Exception {
    private static final long serialVersionUID = 1L;

    FullException(String message) {
      super(message);
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
  private final Object syncLock = new Object();
  private FileChannel head;
  private long headStart;
  private volatile long writePos;
  private volatile long syncedPos;
  private volatile long ackedPos;
  private volatile long pendingSamples;
  private volatile long corruptBytes;
  private boolean closed;

  private DiskQueue(Path dir, long maxBytes, long segmentBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
  }

  /** Opens (or creates) the queue in {@code dir}, cutting a torn tail. */
  static DiskQueue open(Path dir, long maxBytes, long segmentBytes) throws IOException {
    requireNonNull(dir, "dir");
    if (maxBytes < 1024 * 1024) {
      throw new IllegalArgumentException("buffer size: " + maxBytes + " bytes (expected: >= 1 MiB)");
    }
    if (segmentBytes < 4096) {
      throw new IllegalArgumentException("segment size: " + segmentBytes + " bytes (expected: >= 4096)");
    }
    Files.createDirectories(dir);
    DiskQueue q = new DiskQueue(dir, maxBytes, segmentBytes);
    q.load();
    return q;
  }

  private void load() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.matches("\\d{20}\\.seg")) {
          segments.put(Long.parseLong(name.substring(0, 20)), p);
        }
      }
    }
    Path cursor = dir.resolve("cursor");
    long acked = 0;
    if (Files.exists(cursor)) {
      String s = Files.readString(cursor, StandardCharsets.US_ASCII).strip();
      try {
        acked = Long.parseLong(s);
      } catch (NumberFormatException e) {
        log.error("remote-store queue: cursor file {} holds \"{}\" (expected: a decimal position); "
            + "resending everything still on disk", cursor, s);
        acked = segments.isEmpty() ? 0 : segments.firstKey();
      }
    }
    if (segments.isEmpty()) {
      headStart = acked;
      writePos = acked;
    } else {
      Map.Entry<Long, Path> last = segments.lastEntry();
      headStart = last.getKey();
      long valid = scan(last.getValue());
      try (FileChannel ch = FileChannel.open(last.getValue(), StandardOpenOption.WRITE)) {
        if (ch.size() > valid) {
          log.warn("remote-store queue: cutting {} bytes of a torn record at the end of {}", ch.size() - valid,
              last.getValue());
          ch.truncate(valid);
          ch.force(true);
        }
      }
      writePos = headStart + valid;
    }
    // Segments wholly before the cursor were sent already.
    for (Map.Entry<Long, Path> e : new ArrayList<>(segments.entrySet())) {
      Long next = segments.higherKey(e.getKey());
      if (next != null && next <= acked) {
        Files.deleteIfExists(e.getValue());
        segments.remove(e.getKey());
      }
    }
    if (!segments.isEmpty() && acked < segments.firstKey()) {
      acked = segments.firstKey();
    }
    ackedPos = segments.isEmpty() ? writePos : Math.min(acked, writePos);
    syncedPos = writePos;
    pendingSamples = countSamples(ackedPos);
  }

  /** The length of the valid records at the start of segment {@code p}. */
  private static long scan(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long pos = 0;
      long size = ch.size();
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      while (pos + HEADER <= size) {
        h.clear();
        readFully(ch, h, pos);
        int len = h.getInt(0);
        if (len < 0 || len > MAX_RECORD || pos + HEADER + len > size) {
          return pos;
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        readFully(ch, body, pos + HEADER);
        if (crc(h.getInt(4), body.array()) != h.getInt(8)) {
          return pos;
        }
        pos += HEADER + len;
      }
      return pos;
    }
  }

  private long countSamples(long from) throws IOException {
    long n = 0;
    long pos = from;
    while (pos < writePos) {
      Batch b = read(pos, 64 * 1024 * 1024);
      if (b.end() == pos) {
        break;
      }
      n += b.samples();
      pos = b.end();
    }
    return n;
  }

  /**
   * Appends the records together and makes them durable (fsync, shared with concurrent
   * appenders); throws {@link FullException} and appends nothing when they do not fit.
   */
  void append(List<WriteRequests.Encoded> records) throws IOException, FullException {
    long end;
    synchronized (this) {
      if (closed) {
        throw new IOException("remote-store queue is closed");
      }
      long bytes = 0;
      int samples = 0;
      for (WriteRequests.Encoded r : records) {
        if (r.bytes().length > MAX_RECORD) {
          throw new IOException("remote-write record of " + r.bytes().length + " bytes (expected: <= " + MAX_RECORD + ")");
        }
        bytes += HEADER + r.bytes().length;
        samples += r.samples();
      }
      long pending = writePos - ackedPos;
      if (pending + bytes > maxBytes) {
        throw new FullException("local buffer full: " + pending + " bytes pending of " + maxBytes
            + " (" + samples + " samples more would not fit)");
      }
      for (WriteRequests.Encoded r : records) {
        FileChannel ch = headFor(HEADER + r.bytes().length);
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        h.putInt(r.bytes().length).putInt(r.samples()).putInt(crc(r.samples(), r.bytes())).flip();
        ByteBuffer[] parts = {h, ByteBuffer.wrap(r.bytes())};
        long want = HEADER + r.bytes().length;
        long wrote = 0;
        try {
          while (wrote < want) {
            wrote += ch.write(parts);
          }
        } catch (IOException e) {
          abandonHead();
          throw e;
        }
        writePos += want;
      }
      pendingSamples += samples;
      end = writePos;
      notifyAll();
    }
    sync(end);
  }

  /**
   * A write failed part-way (disk full): the segment may hold a torn record after the last good
   * position, so the next append starts a new segment there; readers stop at its start.
   */
  private void abandonHead() {
    try (FileChannel ch = head) {
      ch.force(false); // what came before the torn record stays durable for appenders waiting on sync
    } catch (IOException e) {
      log.warn("remote-store queue: closing a segment after a failed write: {}", e.toString());
    }
    head = null;
    headStart = -1;
  }

  /** Group commit: one fsync makes every append up to its position durable. */
  private void sync(long end) throws IOException {
    synchronized (syncLock) {
      if (syncedPos >= end) {
        return;
      }
      FileChannel ch;
      long target;
      synchronized (this) {
        ch = head;
        target = writePos;
      }
      if (ch != null) {
        ch.force(false);
      }
      syncedPos = target;
    }
  }

  private FileChannel headFor(int recordBytes) throws IOException {
    boolean full = writePos > headStart && writePos - headStart + recordBytes > segmentBytes;
    if (head != null && full) {
      head.force(false);
      head.close();
      head = null;
      syncedPos = Math.max(syncedPos, writePos);
    }
    if (head == null) {
      boolean fresh = full || headStart < 0 || !segments.containsKey(headStart);
      if (fresh) {
        headStart = writePos;
      }
      Path p = dir.resolve(String.format("%020d.seg", headStart));
      // A fresh segment starts empty (a failed write may have left a torn record in a file of that name).
      head = fresh ? FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)
          : FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      segments.put(headStart, p);
    }
    return head;
  }

  /**
   * Up to about {@code maxBytes} of records from position {@code from} (at least one record if
   * any is pending). A corrupt record skips the rest of its segment.
   */
  Batch read(long from, int maxBytes) throws IOException {
    List<byte[]> out = new ArrayList<>();
    int samples = 0;
    long pos = from;
    long limit = writePos;
    long corrupt = 0;
    int bytes = 0;
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    while (pos < limit && (out.isEmpty() || bytes < maxBytes)) {
      Map.Entry<Long, Path> seg = segments.floorEntry(pos);
      if (seg == null) {
        Long next = segments.ceilingKey(pos);
        if (next == null) {
          break;
        }
        pos = next;
        continue;
      }
      Long nextStart = segments.higherKey(seg.getKey());
      long segEnd = nextStart != null ? nextStart : limit;
      if (pos >= segEnd) {
        pos = segEnd;
        continue;
      }
      try (FileChannel ch = FileChannel.open(seg.getValue(), StandardOpenOption.READ)) {
        long size = ch.size();
        while (pos < segEnd && (out.isEmpty() || bytes < maxBytes)) {
          long off = pos - seg.getKey();
          h.clear();
          int len = -1;
          boolean ok = off + HEADER <= size;
          if (ok) {
            readFully(ch, h, off);
            len = h.getInt(0);
            ok = len >= 0 && len <= MAX_RECORD && off + HEADER + len <= size;
          }
          byte[] body = null;
          if (ok) {
            body = new byte[len];
            readFully(ch, ByteBuffer.wrap(body), off + HEADER);
            ok = crc(h.getInt(4), body) == h.getInt(8);
          }
          if (!ok) {
            long skip = segEnd - pos;
            log.error("remote-store queue: corrupt record at {} in {}; skipping the {} bytes to the segment's end",
                off, seg.getValue(), skip);
            corrupt += skip;
            pos = segEnd;
            break;
          }
          out.add(body);
          samples += h.getInt(4);
          bytes += len;
          pos += HEADER + len;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        pos = segEnd;
      }
    }
    return new Batch(out, samples, pos, corrupt);
  }

  /** The store took everything before {@code pos}: persist the cursor, delete sent segments. */
  void ack(long pos, int samples) throws IOException {
    if (pos <= ackedPos) {
      return;
    }
    Path tmp = dir.resolve("cursor.tmp");
    Files.writeString(tmp, Long.toString(pos) + "\n", StandardCharsets.US_ASCII);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    synchronized (this) {
      ackedPos = pos;
      pendingSamples = Math.max(0, pendingSamples - samples);
      for (Map.Entry<Long, Path> e : new ArrayList<>(segments.headMap(pos, true).entrySet())) {
        Long next = segments.higherKey(e.getKey());
        if (next != null && next <= pos) {
          Files.deleteIfExists(e.getValue());
          segments.remove(e.getKey());
        }
      }
    }
  }

  /** Counts bytes skipped as corrupt (added by the reader that skipped them). */
  void addCorrupt(long bytes) {
    corruptBytes += bytes;
  }

  /** Waits up to {@code millis} for records after {@code pos}; true when there are. */
  synchronized boolean await(long pos, long millis) throws InterruptedException {
    if (writePos > pos || closed) {
      return writePos > pos;
    }
    wait(millis);
    return writePos > pos;
  }

  long ackedPosition() {
    return ackedPos;
  }

  long writePosition() {
    return writePos;
  }

  long pendingBytes() {
    return writePos - ackedPos;
  }

  long pendingSamples() {
    return pendingSamples;
  }

  long maxBytes() {
    return maxBytes;
  }

  long corruptBytes() {
    return corruptBytes;
  }

  int segmentCount() {
    return segments.size();
  }

  private static int crc(int samples, byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(ByteBuffer.allocate(4).putInt(samples).flip());
    c.update(payload);
    return (int) c.getValue();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new java.io.EOFException("end of file at " + (pos + b.position()));
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
    if (head != null) {
      try {
        head.force(false);
        head.close();
      } catch (IOException e) {
        log.warn("remote-store queue: closing {}: {}", dir, e.toString());
      }
      head = null;
    }
  }
}
