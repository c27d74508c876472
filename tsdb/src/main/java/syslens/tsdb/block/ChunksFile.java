package syslens.tsdb.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import syslens.tsdb.chunkenc.ByteBuf;

/**
 * The {@code chunks/} directory of a block: segment files {@code 000001}, {@code 000002}, ...
 * (docs/format/block.md#chunks). Each starts with an 8-byte header (magic {@code SLCH}, version
 * 1, three zero bytes) followed by records {@code uvarint len | chunk bytes | CRC32C(chunk bytes)}.
 * A chunk reference is {@code segment << 32 | offset of the record}.
 */
final class ChunksFile {
  static final int MAGIC = 0x534C4348; // "SLCH"
  static final int VERSION = 1;
  static final int HEADER = 8;
  static final long DEFAULT_SEGMENT_BYTES = 512L << 20;

  private ChunksFile() {}

  static String segmentName(int seq) {
    return String.format("%06d", seq);
  }

  /** Appends chunks to segment files, cutting a new segment past the size limit. */
  static final class Writer implements AutoCloseable {
    private final Path dir;
    private final long segmentBytes;
    private final List<Path> files = new ArrayList<>();
    private FileChannel ch;
    private int seq;
    private long offset;
    private final ByteBuf buf = new ByteBuf(1 << 16);
    private final CRC32C crc = new CRC32C();

    Writer(Path dir, long segmentBytes) throws IOException {
      this.dir = dir;
      this.segmentBytes = segmentBytes;
      Files.createDirectories(dir);
    }

    /** Writes one chunk and returns its reference. */
    long write(byte[] chunk) throws IOException {
      long recLen = ByteBuf.uvarintSize(chunk.length) + chunk.length + 4L;
      if (ch == null || (offset + recLen > segmentBytes && offset > HEADER)) {
        cut();
      }
      long ref = ((long) seq << 32) | offset;
      buf.reset();
      buf.putUvarint(chunk.length).put(chunk);
      crc.reset();
      crc.update(chunk);
      buf.putIntBE((int) crc.getValue());
      writeFully(ByteBuffer.wrap(buf.array(), 0, buf.length()));
      offset += buf.length();
      return ref;
    }

    private void cut() throws IOException {
      finishSegment();
      seq++;
      if (seq > 999_999) {
        throw new IOException(dir + ": more than 999999 chunk segments");
      }
      Path f = dir.resolve(segmentName(seq));
      ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      files.add(f);
      ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
      h.putInt(MAGIC).put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0).flip();
      writeFully(h);
      offset = HEADER;
    }

    private void writeFully(ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    private void finishSegment() throws IOException {
      if (ch != null) {
        ch.force(true);
        ch.close();
        ch = null;
      }
    }

    /** The segment files written (fsynced once {@link #close()} returned). */
    List<Path> files() {
      return files;
    }

    @Override
    public void close() throws IOException {
      if (ch == null && files.isEmpty()) {
        cut(); // an empty block still has one (empty) segment, so the layout is uniform
      }
      finishSegment();
    }
  }

  /** Memory-mapped, read-only segments. */
  static final class Reader {
    private final List<MappedByteBuffer> segments = new ArrayList<>();
    private final List<Path> paths = new ArrayList<>();

    Reader(Path dir) throws IOException {
      for (int seq = 1; ; seq++) {
        Path f = dir.resolve(segmentName(seq));
        if (!Files.exists(f)) {
          break;
        }
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
          long size = c.size();
          if (size < HEADER || size > Integer.MAX_VALUE) {
            throw new CorruptBlockException(f, "size " + size + " (expected: " + HEADER + ".." + Integer.MAX_VALUE + ")");
          }
          MappedByteBuffer m = c.map(FileChannel.MapMode.READ_ONLY, 0, size);
          if (m.getInt(0) != MAGIC) {
            throw new CorruptBlockException(f, String.format("magic 0x%08x (expected: 0x%08x)", m.getInt(0), MAGIC));
          }
          if (m.get(4) != VERSION) {
            throw new CorruptBlockException(f, "version " + m.get(4) + " (expected: " + VERSION + ")");
          }
          if (m.get(5) != 0 || m.get(6) != 0 || m.get(7) != 0) {
            throw new CorruptBlockException(f, "header padding not zero (expected: 3 zero bytes)");
          }
          segments.add(m);
          paths.add(f);
        }
      }
      if (segments.isEmpty()) {
        throw new CorruptBlockException(dir, "no chunk segment (expected: " + segmentName(1) + ")");
      }
    }

    /** The chunk bytes at {@code ref}, CRC-checked. */
    byte[] read(long ref) {
      int seq = (int) (ref >>> 32);
      int off = (int) ref;
      if (seq < 1 || seq > segments.size()) {
        throw new CorruptBlockException(paths.get(0).getParent(), "chunk ref segment " + seq + " (expected: 1.." + segments.size() + ")");
      }
      MappedByteBuffer m = segments.get(seq - 1);
      Path f = paths.get(seq - 1);
      if (off < HEADER || off >= m.limit()) {
        throw new CorruptBlockException(f, "chunk offset " + off + " (expected: " + HEADER + ".." + (m.limit() - 1) + ")");
      }
      Decbuf d = new Decbuf(m, f, off, m.limit());
      int len = d.uvarintInt(m.limit(), "chunk length");
      byte[] data = d.bytes(len);
      int want = d.u32();
      CRC32C crc = new CRC32C();
      crc.update(data);
      if ((int) crc.getValue() != want) {
        throw new CorruptBlockException(f, String.format("chunk at offset %d: CRC32C 0x%08x (expected: 0x%08x)", off, (int) crc.getValue(), want));
      }
      return data;
    }

    /** Checks every record's CRC (a full scan); throws naming the first damaged file. */
    long verify() {
      long chunks = 0;
      for (int i = 0; i < segments.size(); i++) {
        MappedByteBuffer m = segments.get(i);
        int off = HEADER;
        while (off < m.limit()) {
          long ref = ((long) (i + 1) << 32) | off;
          byte[] data = read(ref);
          off += ByteBuf.uvarintSize(data.length) + data.length + 4;
          chunks++;
        }
      }
      return chunks;
    }
  }
}
