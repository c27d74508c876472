package syslens.tsdb.head;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a checkpoint file front to back through a heap buffer (one sequential pass, no mapping),
 * computing the CRC32C of every byte before the 4-byte trailer as it goes. Big-endian, as the
 * format. Reads past the data (into the trailer) fail as truncation.
 */
final class CheckpointInput {
  private static final int WINDOW = 1 << 20;
  private final FileChannel ch;
  private final Path file;
  /** Bytes of data before the CRC trailer. */
  private final long dataEnd;
  private final ByteBuffer buf = ByteBuffer.allocate(WINDOW);
  private final CRC32C crc = new CRC32C();
  /** File position of the first byte not yet read into {@link #buf}. */
  private long filled;

  CheckpointInput(FileChannel ch, Path file) throws IOException {
    this.ch = ch;
    this.file = file;
    this.dataEnd = ch.size() - 4;
    buf.limit(0);
  }

  /** Makes at least n bytes readable from the buffer (n <= WINDOW). */
  private void ensure(int n) throws IOException {
    if (buf.remaining() >= n) {
      return;
    }
    buf.compact();
    while (buf.position() < n) {
      int want = (int) Math.min(buf.remaining(), dataEnd - filled);
      if (want <= 0) {
        throw new EOFException("checkpoint " + file + ": truncated");
      }
      int start = buf.position();
      int got = ch.read(buf.limit(start + want), filled);
      if (got < 0) {
        throw new EOFException("checkpoint " + file + ": truncated");
      }
      crc.update(buf.array(), start, got);
      filled += got;
      buf.limit(buf.capacity());
    }
    buf.flip();
  }

  int u8() throws IOException {
    ensure(1);
    return buf.get() & 0xff;
  }

  int u16() throws IOException {
    ensure(2);
    return Short.toUnsignedInt(buf.getShort());
  }

  int i32() throws IOException {
    ensure(4);
    return buf.getInt();
  }

  long i64() throws IOException {
    ensure(8);
    return buf.getLong();
  }

  /** Reads len bytes; big arrays bypass the window. */
  byte[] bytes(int len) throws IOException {
    byte[] out = new byte[len];
    int n = Math.min(len, buf.remaining());
    buf.get(out, 0, n);
    while (n < len) {
      int part = Math.min(len - n, WINDOW);
      ensure(part);
      buf.get(out, n, part);
      n += part;
    }
    return out;
  }

  /** Bytes left before the trailer (an upper bound for counts read from the file). */
  long remaining() {
    return dataEnd - filled + buf.remaining();
  }

  /**
   * After the last field: checks that every data byte was read and that the trailer holds their
   * CRC32C.
   */
  void verifyEnd() throws IOException {
    if (remaining() != 0) {
      throw new IOException("checkpoint " + file + ": " + remaining() + " bytes after the last series");
    }
    ByteBuffer tail = ByteBuffer.allocate(4);
    while (tail.hasRemaining()) {
      if (ch.read(tail, dataEnd + tail.position()) < 0) {
        throw new EOFException("checkpoint " + file + ": truncated");
      }
    }
    int stored = tail.getInt(0);
    if ((int) crc.getValue() != stored) {
      throw new IOException(String.format("checkpoint %s: CRC32C mismatch (stored %08x, computed %08x)",
          file, stored, (int) crc.getValue()));
    }
  }
}
