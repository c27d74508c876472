package syslens.tsdb.head;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import syslens.storage.Labels;

/**
 * A checkpoint of the head: every series with its chunks, as of a WAL segment boundary, so a
 * restart loads chunks as they are instead of replaying every sample since the first start
 * (docs/format/checkpoint.md).
 *
 * <pre>
 * file    = magic "SLCK" | version:u8 (1) | walSegment:u32be | series:u32be | series* | crc32c:u32be
 * series  = ref:u64be | labels:u16be | { len:u16be name | len:u16be value }*
 *           | chunks:u32be | chunk* | oooChunks:u32be | chunk*
 * chunk   = minTime:i64be | maxTime:i64be | len:u32be | bytes[len] (an XOR chunk)
 * </pre>
 */
public final class Checkpoint {
  static final byte[] MAGIC = {'S', 'L', 'C', 'K'};
  static final int VERSION = 1;
  /** Largest checkpoint read back (it is memory-mapped). */
  static final long MAX_BYTES = Integer.MAX_VALUE;

  private Checkpoint() {}

  /** One series as checkpointed. */
  public record SeriesState(long ref, Labels labels, List<ChunkMeta> chunks, List<ChunkMeta> outOfOrder) {}

  /** A loaded checkpoint: the WAL segment replay resumes at, and the series. */
  public record Loaded(int walSegment, List<SeriesState> series) {}

  /** Writes a checkpoint to {@code file} atomically (temp file, fsync, rename). */
  public static void write(Path file, int walSegment, List<SeriesState> series) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C crc = new CRC32C();
      OutputStream raw = Channels.newOutputStream(ch);
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
          new CheckedOutputStream(raw, crc), 1 << 16));
      out.write(MAGIC);
      out.writeByte(VERSION);
      out.writeInt(walSegment);
      out.writeInt(series.size());
      for (SeriesState s : series) {
        out.writeLong(s.ref());
        out.writeShort(s.labels().size());
        for (int i = 0; i < s.labels().size(); i++) {
          writeString(out, s.labels().name(i));
          writeString(out, s.labels().value(i));
        }
        writeChunks(out, s.chunks());
        writeChunks(out, s.outOfOrder());
      }
      out.flush();
      int sum = (int) crc.getValue();
      ByteBuffer tail = ByteBuffer.allocate(4).putInt(sum).flip();
      while (tail.hasRemaining()) {
        ch.write(tail);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeChunks(DataOutputStream out, List<ChunkMeta> chunks) throws IOException {
    out.writeInt(chunks.size());
    for (ChunkMeta c : chunks) {
      out.writeLong(c.minTime());
      out.writeLong(c.maxTime());
      out.writeInt(c.data().length);
      out.write(c.data());
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xffff) {
      throw new IOException("label string of " + b.length + " bytes (expected: <= 65535)");
    }
    out.writeShort(b.length);
    out.write(b);
  }

  /**
   * Reads a checkpoint; throws IOException naming the file and what is wrong when it is damaged
   * (bad magic or version, checksum mismatch, truncated).
   */
  public static Loaded read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 17 || size > MAX_BYTES) {
        throw new IOException("checkpoint " + file + ": " + size + " bytes (expected: 17.." + MAX_BYTES + ")");
      }
      ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      CRC32C crc = new CRC32C();
      crc.update(b.slice(0, (int) size - 4));
      int stored = b.getInt((int) size - 4);
      if ((int) crc.getValue() != stored) {
        throw new IOException(String.format("checkpoint %s: CRC32C mismatch (stored %08x, computed %08x)",
            file, stored, (int) crc.getValue()));
      }
      byte[] magic = new byte[4];
      b.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC) || b.get() != VERSION) {
        throw new IOException("checkpoint " + file + ": not a version " + VERSION + " checkpoint");
      }
      try {
        int segment = b.getInt();
        int n = b.getInt();
        List<SeriesState> out = new ArrayList<>(Math.min(n, 1 << 20));
        for (int i = 0; i < n; i++) {
          long ref = b.getLong();
          int labels = Short.toUnsignedInt(b.getShort());
          Labels.Builder lb = Labels.builder();
          for (int j = 0; j < labels; j++) {
            lb.set(readString(b), readString(b));
          }
          List<ChunkMeta> cs = readChunks(b, file, ref);
          List<ChunkMeta> ooo = readChunks(b, file, ref);
          out.add(new SeriesState(ref, lb.build(), cs, ooo));
        }
        return new Loaded(segment, out);
      } catch (BufferUnderflowException e) {
        throw new IOException("checkpoint " + file + ": truncated", e);
      }
    }
  }

  private static List<ChunkMeta> readChunks(ByteBuffer b, Path file, long ref) throws IOException {
    int chunks = b.getInt();
    if (chunks < 0 || chunks > b.remaining() / 20) {
      throw new IOException("checkpoint " + file + ": series " + ref + " claims " + chunks + " chunks");
    }
    List<ChunkMeta> cs = new ArrayList<>(chunks);
    for (int j = 0; j < chunks; j++) {
      long mint = b.getLong();
      long maxt = b.getLong();
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new IOException("checkpoint " + file + ": chunk of " + len + " bytes runs past the end");
      }
      byte[] data = new byte[len];
      b.get(data);
      cs.add(new ChunkMeta(mint, maxt, data));
    }
    return cs;
  }

  private static String readString(ByteBuffer b) {
    int len = Short.toUnsignedInt(b.getShort());
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
