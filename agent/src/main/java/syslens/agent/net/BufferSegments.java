package syslens.agent.net;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk form of a {@link BatchBuffer} (format: {@code docs/format/agent-buffer.md}): batches
 * appended to segment files {@code seg-<first seq>.log} as {@code [u32 length][u32 crc32c][u64
 * seq][length bytes]}, the seq space's {@code epoch}, and the highest acknowledged seq in
 * {@code acked} (overwritten in place on each ack, not fsynced: losing it only makes the server
 * see duplicates, which it drops). A segment is deleted once none of its batches is held any more.
 * Not thread-safe: {@link BatchBuffer} calls it under its lock.
 */
final class BufferSegments {
  private static final Logger log = LoggerFactory.getLogger(BufferSegments.class);
  static final String EPOCH_FILE = "epoch";
  static final String ACKED_FILE = "acked";
  private static final int HEADER = 16;
  /** Largest batch accepted when reading back (a corrupt length must not allocate gigabytes). */
  static final int MAX_RECORD = 64 << 20;

  /** A recovered batch: where it is and how large. */
  record Recovered(long seq, Segment segment, long offset, int size) {}

  static final class Segment {
    final Path path;
    final FileChannel channel;
    final long firstSeq;
    int live;

    Segment(Path path, FileChannel channel, long firstSeq) {
      this.path = path;
      this.channel = channel;
      this.firstSeq = firstSeq;
    }
  }

  private final Path dir;
  private final long segmentBytes;
  private final long epoch;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final List<Recovered> recovered = new ArrayList<>();
  private long acked;
  private Segment current;
  /** Digits of the {@code acked} file (zero-padded: 20 hold any seq) before its newline. */
  static final int ACKED_WIDTH = 20;
  /** The {@code acked} file, kept open after the first ack and overwritten in place. */
  private FileChannel ackedFile;
  private final ByteBuffer ackedBytes = ByteBuffer.allocate(ACKED_WIDTH + 1);

  private BufferSegments(Path dir, long segmentBytes) throws IOException {
    this.dir = requireNonNull(dir, "dir");
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    Long e = readLong(dir.resolve(EPOCH_FILE));
    Long a = readLong(dir.resolve(ACKED_FILE));
    if (e == null || e == 0) {
      // A new seq space: old segments (if any) belong to no known epoch and are discarded.
      deleteSegments();
      e = newEpoch();
      writeAtomically(dir.resolve(EPOCH_FILE), Long.toUnsignedString(e), true);
      a = 0L;
    }
    this.epoch = e;
    this.acked = a == null ? 0 : a;
    recover();
  }

  static BufferSegments open(Path dir, long segmentBytes) throws IOException {
    return new BufferSegments(dir, segmentBytes);
  }

  static long newEpoch() {
    long e;
    do {
      e = new SecureRandom().nextLong();
    } while (e == 0);
    return e;
  }

  long epoch() {
    return epoch;
  }

  long acked() {
    return acked;
  }

  /** Batches found on disk at open with seq above {@link #acked()}, in seq order. */
  List<Recovered> recovered() {
    return recovered;
  }

  /** Appends a batch and forces it to disk; returns its segment and offset. */
  Recovered append(long seq, ByteString data) throws IOException {
    if (current == null || current.channel.size() >= segmentBytes) {
      Path p = dir.resolve(String.format("seg-%020d.log", seq));
      FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      current = new Segment(p, ch, seq);
      segments.put(seq, current);
    }
    FileChannel ch = current.channel;
    long offset = ch.size();
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    head.putInt(data.size()).putInt(crc(seq, data)).putLong(seq).flip();
    try {
      writeFully(ch, head, offset);
      writeFully(ch, data.asReadOnlyByteBuffer(), offset + HEADER);
      ch.force(false);
    } catch (IOException e) {
      ch.truncate(offset); // never leave a fragment that later records would follow
      throw e;
    }
    current.live++;
    return new Recovered(seq, current, offset, data.size());
  }

  ByteString read(Recovered r) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(r.size());
    long pos = r.offset() + HEADER;
    while (buf.hasRemaining()) {
      if (r.segment().channel.read(buf, pos + buf.position()) < 0) {
        throw new IOException(r.segment().path + ": ends inside batch " + r.seq());
      }
    }
    buf.flip();
    return ByteString.copyFrom(buf);
  }

  /** One held batch of {@code s} is gone (acked, dropped or removed); deletes drained segments. */
  void release(Segment s) {
    if (--s.live > 0 || s == current) {
      return;
    }
    segments.remove(s.firstSeq);
    closeQuietly(s);
    try {
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      log.warn("buffer segment {}: cannot delete ({}); it is ignored after the next ack", s.path,
          e.toString());
    }
  }

  /** Records that every seq up to {@code seq} is acknowledged. */
  void acked(long seq) {
    if (seq <= acked) {
      return;
    }
    acked = seq;
    try {
      if (ackedFile == null) {
        ackedFile = FileChannel.open(dir.resolve(ACKED_FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        ackedFile.truncate(ACKED_WIDTH + 1);
      }
      // One pwrite over the whole value (fixed width: a new value always covers the old one) into
      // the file kept open, instead of a temporary file, a close and a rename per round.
      String digits = Long.toString(seq);
      ackedBytes.clear();
      for (int i = digits.length(); i < ACKED_WIDTH; i++) {
        ackedBytes.put((byte) '0');
      }
      for (int i = 0; i < digits.length(); i++) {
        ackedBytes.put((byte) digits.charAt(i));
      }
      ackedBytes.put((byte) '\n').flip();
      writeFully(ackedFile, ackedBytes, 0);
    } catch (IOException e) {
      closeAckedFile();
      log.debug("buffer: cannot record ack {} ({}); a restart resends duplicates the server drops",
          seq, e.toString());
    }
  }

  private void closeAckedFile() {
    if (ackedFile != null) {
      try {
        ackedFile.close();
      } catch (IOException ignored) {
        // nothing forced; a lost ack only means duplicates the server drops
      }
      ackedFile = null;
    }
  }

  void close() {
    closeAckedFile();
    for (Segment s : segments.values()) {
      closeQuietly(s);
    }
    segments.clear();
    current = null;
  }

  private void recover() throws IOException {
    List<Path> files;
    try (Stream<Path> st = Files.list(dir)) {
      files = st.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted().toList();
    }
    for (Path p : files) {
      long first = Long.parseLong(p.getFileName().toString().substring(4, 24));
      FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment s = new Segment(p, ch, first);
      segments.put(first, s);
      scan(s);
      if (s.live == 0) {
        segments.remove(first);
        closeQuietly(s);
        Files.deleteIfExists(p);
      }
    }
  }

  private void scan(Segment s) throws IOException {
    long size = s.channel.size();
    long pos = 0;
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    while (pos + HEADER <= size) {
      head.clear();
      readFully(s.channel, head, pos);
      head.flip();
      int len = head.getInt();
      int crc = head.getInt();
      long seq = head.getLong();
      if (len < 0 || len > MAX_RECORD || pos + HEADER + len > size) {
        break;
      }
      Recovered r = new Recovered(seq, s, pos, len);
      if (crc != crc(seq, read(r))) {
        break;
      }
      if (seq > acked && (recovered.isEmpty() || seq > recovered.get(recovered.size() - 1).seq())) {
        recovered.add(r);
        s.live++;
      }
      pos += HEADER + len;
    }
    if (pos < size) {
      // A torn or damaged tail (crash mid-write, bad disk): cut it, keep everything before it.
      log.warn("buffer segment {}: {} bytes after offset {} are not a whole batch; dropped",
          s.path, size - pos, pos);
      s.channel.truncate(pos);
    }
  }

  private void deleteSegments() throws IOException {
    try (Stream<Path> st = Files.list(dir)) {
      for (Path p : st.filter(p -> p.getFileName().toString().startsWith("seg-")).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static int crc(long seq, ByteString data) {
    CRC32C c = new CRC32C();
    c.update(ByteBuffer.allocate(8).putLong(0, seq));
    c.update(data.asReadOnlyByteBuffer());
    return (int) c.getValue();
  }

  private static Long readLong(Path p) throws IOException {
    if (!Files.exists(p)) {
      return null;
    }
    String s = Files.readString(p, US_ASCII).trim();
    try {
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      log.warn("buffer file {}: {} is not a number; treated as absent", p, s);
      return null;
    }
  }

  private static void writeAtomically(Path p, String value, boolean sync) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, ByteBuffer.wrap((value + "\n").getBytes(US_ASCII)), 0);
      if (sync) {
        ch.force(true);
      }
    }
    try {
      Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at " + pos);
      }
      pos += n;
    }
  }

  private static void closeQuietly(Segment s) {
    try {
      s.channel.close();
    } catch (IOException ignored) {
      // closing a read/write channel we own; nothing to recover
    }
  }
}
