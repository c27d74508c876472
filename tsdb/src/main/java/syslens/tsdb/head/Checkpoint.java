package syslens.tsdb.head;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import syslens.storage.Labels;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * A checkpoint of the head: every series with its chunks, as of a WAL segment boundary, so a
 * restart loads chunks as they are instead of replaying every sample since the first start
 * (docs/format/checkpoint.md). Version 2 is written; versions 1 and 2 are read.
 *
 * <pre>
 * file    = magic "SLCK" | version:u8 (2) | walSegment:u32be | symbols:u32be | symbol*
 *           | series:u32be | series* | crc32c:u32be
 * symbol  = len:u16be | UTF-8 bytes
 * series  = ref:u64be | labels:u16be | { name:u32be | value:u32be }* (symbol numbers)
 *           | lastValue:u64be | chunks:u32be | chunk* | oooChunks:u32be | chunk*
 * chunk   = minTime:i64be | maxTime:i64be | len:u32be | bytes[len] (an XOR chunk)
 * </pre>
 */
public final class Checkpoint {
  static final byte[] MAGIC = {'S', 'L', 'C', 'K'};
  /** The version written. */
  static final int VERSION = 2;
  /** The oldest version read. */
  static final int MIN_VERSION = 1;

  private Checkpoint() {}

  /**
   * One series as checkpointed; {@code lastValueBits} are the raw bits of the newest sample of the
   * last in-order chunk (what the next sample is checked against), 0 when there is no chunk.
   */
  public record SeriesState(long ref, Labels labels, List<ChunkMeta> chunks, List<ChunkMeta> outOfOrder,
      long lastValueBits) {
    /** A series whose newest value is read from its last chunk. */
    public SeriesState(long ref, Labels labels, List<ChunkMeta> chunks, List<ChunkMeta> outOfOrder) {
      this(ref, labels, chunks, outOfOrder, lastValueBitsOf(chunks));
    }
  }

  /** A loaded checkpoint: the WAL segment replay resumes at, and the series. */
  public record Loaded(int walSegment, List<SeriesState> series) {}

  /** Raw bits of the newest sample of the last chunk (decoding it); 0 when there is none. */
  static long lastValueBitsOf(List<ChunkMeta> chunks) {
    if (chunks.isEmpty()) {
      return 0;
    }
    SampleIterator it = XorChunk.iterator(chunks.get(chunks.size() - 1).data());
    double v = 0;
    while (it.next()) {
      v = it.value();
    }
    return Double.doubleToRawLongBits(v);
  }

  /**
   * Writes a checkpoint to {@code file} atomically (temp file, fsync, rename): the current
   * version, series in increasing ref order, label strings once each in the symbol table.
   */
  public static void write(Path file, int walSegment, List<SeriesState> series) throws IOException {
    SeriesState[] sorted = series.toArray(new SeriesState[0]);
    Arrays.sort(sorted, Comparator.comparingLong(SeriesState::ref));
    Symbols symbols = new Symbols();
    for (SeriesState s : sorted) {
      Labels l = s.labels();
      for (int i = 0; i < l.size(); i++) {
        symbols.add(l.name(i));
        symbols.add(l.value(i));
      }
    }
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
      out.writeInt(symbols.size());
      for (int i = 0; i < symbols.size(); i++) {
        writeString(out, symbols.string(i));
      }
      out.writeInt(sorted.length);
      for (SeriesState s : sorted) {
        out.writeLong(s.ref());
        Labels l = s.labels();
        out.writeShort(l.size());
        for (int i = 0; i < l.size(); i++) {
          out.writeInt(symbols.get(l.name(i)));
          out.writeInt(symbols.get(l.value(i)));
        }
        out.writeLong(s.chunks().isEmpty() ? 0 : s.lastValueBits());
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

  /**
   * Symbol numbers of label strings, in the order first added: open addressing on the strings'
   * cached hashes, no boxed numbers (a checkpoint of 2 M series looks up ~40 M strings; with a
   * {@code HashMap<String, Integer>} that was half of the write's CPU).
   */
  private static final class Symbols {
    private String[] keys = new String[1024];
    private int[] numbers = new int[1024];
    private final List<String> list = new ArrayList<>();

    private int slot(String s) {
      int mask = keys.length - 1;
      int h = s.hashCode() * 0x9E3779B9;
      int i = (h ^ (h >>> 16)) & mask;
      while (keys[i] != null && !keys[i].equals(s)) {
        i = (i + 1) & mask;
      }
      return i;
    }

    void add(String s) {
      int i = slot(s);
      if (keys[i] != null) {
        return;
      }
      keys[i] = s;
      numbers[i] = list.size();
      list.add(s);
      if (list.size() * 2 > keys.length) {
        String[] old = keys;
        int[] oldNumbers = numbers;
        keys = new String[old.length * 2];
        numbers = new int[keys.length];
        for (int j = 0; j < old.length; j++) {
          if (old[j] != null) {
            int k = slot(old[j]);
            keys[k] = old[j];
            numbers[k] = oldNumbers[j];
          }
        }
      }
    }

    /** The number of {@code s}, which was added. */
    int get(String s) {
      return numbers[slot(s)];
    }

    int size() {
      return list.size();
    }

    String string(int number) {
      return list.get(number);
    }
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
   * Reads a checkpoint of any readable version; label strings come back interned. Throws
   * IOException naming the file and what is wrong when it is damaged (bad magic, unknown version,
   * checksum mismatch, truncated); nothing is returned from a damaged file.
   */
  public static Loaded read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 17) {
        throw new IOException("checkpoint " + file + ": " + size + " bytes (expected: >= 17)");
      }
      CheckpointInput in = new CheckpointInput(ch, file);
      byte[] magic = in.bytes(4);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("checkpoint " + file + ": not a checkpoint (magic " + Arrays.toString(magic) + ")");
      }
      int version = in.u8();
      if (version < MIN_VERSION || version > VERSION) {
        throw new IOException("checkpoint " + file + ": format version " + version + " (expected: "
            + MIN_VERSION + ".." + VERSION + "; written by a newer SysLens?)");
      }
      int segment = in.i32();
      List<SeriesState> out = version == 1 ? readV1(in, file) : readV2(in, file);
      in.verifyEnd();
      return new Loaded(segment, out);
    }
  }

  private static List<SeriesState> readV2(CheckpointInput in, Path file) throws IOException {
    int nsym = in.i32();
    if (nsym < 0 || nsym > in.remaining() / 2) {
      throw new IOException("checkpoint " + file + ": claims " + nsym + " symbols");
    }
    String[] symbols = new String[nsym];
    for (int i = 0; i < nsym; i++) {
      symbols[i] = readString(in).intern();
    }
    int n = count(in, file, "series", 22);
    List<SeriesState> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long ref = in.i64();
      int labels = in.u16();
      String[] kv = new String[2 * labels];
      for (int j = 0; j < kv.length; j++) {
        int sym = in.i32();
        if (sym < 0 || sym >= nsym) {
          throw new IOException("checkpoint " + file + ": series " + ref + " refers to symbol " + sym
              + " (expected: < " + nsym + ")");
        }
        kv[j] = symbols[sym];
      }
      long last = in.i64();
      List<ChunkMeta> cs = readChunks(in, file, ref);
      List<ChunkMeta> ooo = readChunks(in, file, ref);
      out.add(new SeriesState(ref, labels(kv, file, ref), cs, ooo, last));
    }
    return out;
  }

  private static List<SeriesState> readV1(CheckpointInput in, Path file) throws IOException {
    int n = count(in, file, "series", 14);
    Map<String, String> interned = new HashMap<>();
    List<SeriesState> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long ref = in.i64();
      int labels = in.u16();
      String[] kv = new String[2 * labels];
      for (int j = 0; j < kv.length; j++) {
        kv[j] = interned.computeIfAbsent(readString(in), String::intern);
      }
      List<ChunkMeta> cs = readChunks(in, file, ref);
      List<ChunkMeta> ooo = readChunks(in, file, ref);
      out.add(new SeriesState(ref, labels(kv, file, ref), cs, ooo));
    }
    return out;
  }

  private static Labels labels(String[] kv, Path file, long ref) throws IOException {
    try {
      return Labels.ofSorted(kv);
    } catch (IllegalArgumentException e) {
      throw new IOException("checkpoint " + file + ": series " + ref + ": " + e.getMessage(), e);
    }
  }

  /** A count of items of at least {@code minBytes} each, checked against what is left. */
  private static int count(CheckpointInput in, Path file, String what, int minBytes) throws IOException {
    int n = in.i32();
    if (n < 0 || n > in.remaining() / minBytes) {
      throw new IOException("checkpoint " + file + ": claims " + Integer.toUnsignedString(n) + " " + what
          + " in " + in.remaining() + " bytes");
    }
    return n;
  }

  private static List<ChunkMeta> readChunks(CheckpointInput in, Path file, long ref) throws IOException {
    int chunks = in.i32();
    if (chunks < 0 || chunks > in.remaining() / 20) {
      throw new IOException("checkpoint " + file + ": series " + ref + " claims " + chunks + " chunks");
    }
    if (chunks == 0) {
      return List.of();
    }
    List<ChunkMeta> cs = new ArrayList<>(chunks);
    for (int j = 0; j < chunks; j++) {
      long mint = in.i64();
      long maxt = in.i64();
      int len = in.i32();
      if (len < 0 || len > in.remaining()) {
        throw new IOException("checkpoint " + file + ": chunk of " + len + " bytes runs past the end");
      }
      cs.add(new ChunkMeta(mint, maxt, in.bytes(len)));
    }
    return cs;
  }

  private static String readString(CheckpointInput in) throws IOException {
    int len = in.u16();
    if (len > in.remaining()) {
      throw new IOException("checkpoint: string of " + len + " bytes runs past the end");
    }
    return new String(in.bytes(len), StandardCharsets.UTF_8);
  }
}
