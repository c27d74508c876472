package syslens.tsdb.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import syslens.storage.Labels;
import syslens.tsdb.chunkenc.ByteBuf;

/**
 * Writes a block's {@code index} file (docs/format/index.md): symbols, series, postings and the
 * postings offset table, each section framed as {@code u32 length | payload | u32 CRC32C}, then a
 * table of contents. Series must be added in label order.
 */
final class IndexWriter {
  static final int MAGIC = 0x534C4958; // "SLIX"
  static final int VERSION = 1;
  static final int TOC_BYTES = 4 * 8 + 4;

  private record Entry(Labels labels, List<ChunkRef> chunks) {}

  private final List<Entry> series = new ArrayList<>();
  private final TreeSet<String> symbols = new TreeSet<>();
  private Labels last;

  void add(Labels labels, List<ChunkRef> chunks) {
    if (last != null && last.compareTo(labels) >= 0) {
      throw new IllegalArgumentException("series " + labels + " after " + last
          + " (expected: strictly increasing label order)");
    }
    last = labels;
    series.add(new Entry(labels, List.copyOf(chunks)));
    labels.forEach((n, v) -> {
      symbols.add(n);
      symbols.add(v);
    });
  }

  int numSeries() {
    return series.size();
  }

  void write(Path file) throws IOException {
    Map<String, Integer> symRef = new HashMap<>();
    ByteBuf sym = new ByteBuf(1 << 12);
    sym.putUvarint(symbols.size());
    int i = 0;
    for (String s : symbols) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      sym.putUvarint(b.length).put(b);
      symRef.put(s, i++);
    }
    ByteBuf ser = new ByteBuf(1 << 16);
    // name -> value -> series refs, values sorted as strings.
    TreeMap<String, TreeMap<String, List<Integer>>> postings = new TreeMap<>();
    List<Integer> all = new ArrayList<>(series.size());
    for (Entry e : series) {
      int ref = ser.length();
      if (ref < 0) {
        throw new IOException(file + ": series section over 2 GiB");
      }
      all.add(ref);
      ser.putUvarint(e.labels().size());
      e.labels().forEach((n, v) -> {
        ser.putUvarint(symRef.get(n)).putUvarint(symRef.get(v));
        postings.computeIfAbsent(n, k -> new TreeMap<>()).computeIfAbsent(v, k -> new ArrayList<>()).add(ref);
      });
      ser.putUvarint(e.chunks().size());
      long prevMax = 0;
      long prevRef = 0;
      for (int c = 0; c < e.chunks().size(); c++) {
        ChunkRef cr = e.chunks().get(c);
        ser.putVarint(c == 0 ? cr.minTime() : cr.minTime() - prevMax);
        ser.putUvarint(cr.maxTime() - cr.minTime());
        ser.putVarint(cr.ref() - prevRef);
        prevMax = cr.maxTime();
        prevRef = cr.ref();
      }
    }
    ByteBuf post = new ByteBuf(1 << 16);
    ByteBuf table = new ByteBuf(1 << 12);
    table.putUvarint(writePostings(post, all));
    table.putUvarint(postings.size());
    for (var byName : postings.entrySet()) {
      table.putUvarint(symRef.get(byName.getKey())).putUvarint(byName.getValue().size());
      for (var byValue : byName.getValue().entrySet()) {
        table.putUvarint(symRef.get(byValue.getKey())).putUvarint(writePostings(post, byValue.getValue()));
      }
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuf head = new ByteBuf(8);
      head.putIntBE(MAGIC).put(VERSION).put(0).put(0).put(0);
      long pos = writeAll(ch, head);
      long[] toc = new long[4];
      ByteBuf[] sections = {sym, ser, post, table};
      for (int s = 0; s < sections.length; s++) {
        toc[s] = pos;
        pos += writeSection(ch, sections[s]);
      }
      ByteBuf t = new ByteBuf(TOC_BYTES);
      for (long off : toc) {
        t.putLongBE(off);
      }
      CRC32C crc = new CRC32C();
      crc.update(t.array(), 0, t.length());
      t.putIntBE((int) crc.getValue());
      writeAll(ch, t);
      ch.force(true);
    }
  }

  private static int writePostings(ByteBuf post, List<Integer> refs) {
    int off = post.length();
    post.putUvarint(refs.size());
    int prev = 0;
    for (int r : refs) {
      post.putUvarint(r - prev);
      prev = r;
    }
    return off;
  }

  private static long writeSection(FileChannel ch, ByteBuf payload) throws IOException {
    ByteBuf len = new ByteBuf(4);
    len.putIntBE(payload.length());
    CRC32C crc = new CRC32C();
    crc.update(payload.array(), 0, payload.length());
    ByteBuf tail = new ByteBuf(4);
    tail.putIntBE((int) crc.getValue());
    return writeAll(ch, len) + writeAll(ch, payload) + writeAll(ch, tail);
  }

  private static long writeAll(FileChannel ch, ByteBuf b) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(b.array(), 0, b.length());
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
    return b.length();
  }
}
