package syslens.tsdb.block;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * Reads a memory-mapped {@code index} file (docs/format/index.md). Opening checks the magic,
 * version, table of contents and the CRC32C of every section, and loads the symbol table and the
 * postings offset table; series entries and postings lists are decoded from the mapping on demand.
 * Thread-safe after construction.
 */
final class IndexReader {
  private final Path file;
  private final MappedByteBuffer buf;
  private final String[] symbols;
  private final int[] sectionStart = new int[4];
  private final int[] sectionEnd = new int[4];
  private final TreeMap<String, Values> table = new TreeMap<>();
  private final int allPostings;

  /** The values of one label name and where their postings lists start. */
  private record Values(String[] values, int[] offsets) {}

  /** One series: labels and chunk references. */
  record SeriesEntry(Labels labels, List<ChunkRef> chunks) {}

  IndexReader(Path file) throws IOException {
    this.file = file;
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = c.size();
      if (size < 8 + IndexWriter.TOC_BYTES || size > Integer.MAX_VALUE) {
        throw new CorruptBlockException(file, "size " + size + " (expected: " + (8 + IndexWriter.TOC_BYTES) + ".." + Integer.MAX_VALUE + ")");
      }
      buf = c.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
    if (buf.getInt(0) != IndexWriter.MAGIC) {
      throw new CorruptBlockException(file, String.format("magic 0x%08x (expected: 0x%08x)", buf.getInt(0), IndexWriter.MAGIC));
    }
    if (buf.get(4) != IndexWriter.VERSION) {
      throw new CorruptBlockException(file, "version " + buf.get(4) + " (expected: " + IndexWriter.VERSION + ")");
    }
    if (buf.get(5) != 0 || buf.get(6) != 0 || buf.get(7) != 0) {
      throw new CorruptBlockException(file, "header padding not zero (expected: 3 zero bytes)");
    }
    int tocAt = buf.limit() - IndexWriter.TOC_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(tocAt, 32));
    if ((int) crc.getValue() != buf.getInt(tocAt + 32)) {
      throw new CorruptBlockException(file, "table of contents CRC32C mismatch (file truncated or damaged)");
    }
    String[] names = {"symbols", "series", "postings", "postings offset table"};
    for (int s = 0; s < 4; s++) {
      long off = buf.getLong(tocAt + 8 * s);
      if (off < 8 || off + 8 > tocAt) {
        throw new CorruptBlockException(file, names[s] + " section offset " + off + " (expected: 8.." + (tocAt - 8) + ")");
      }
      int len = buf.getInt((int) off);
      if (len < 0 || off + 4 + len + 4 > tocAt) {
        throw new CorruptBlockException(file, names[s] + " section length " + len + " (expected: <= " + (tocAt - off - 8) + ")");
      }
      int start = (int) off + 4;
      crc.reset();
      crc.update(buf.slice(start, len));
      if ((int) crc.getValue() != buf.getInt(start + len)) {
        throw new CorruptBlockException(file, names[s] + " section CRC32C mismatch");
      }
      sectionStart[s] = start;
      sectionEnd[s] = start + len;
    }
    Decbuf d = section(0, 0);
    int n = d.uvarintInt(sectionEnd[0] - sectionStart[0], "symbol count");
    symbols = new String[n];
    for (int i = 0; i < n; i++) {
      symbols[i] = d.string();
      if (i > 0 && symbols[i - 1].compareTo(symbols[i]) >= 0) {
        throw new CorruptBlockException(file, "symbols out of order at " + i);
      }
    }
    d = section(3, 0);
    int postLen = sectionEnd[2] - sectionStart[2];
    allPostings = d.uvarintInt(postLen, "all-postings offset");
    int nNames = d.uvarintInt(symbols.length, "label name count");
    for (int i = 0; i < nNames; i++) {
      String name = symbol(d);
      int nValues = d.uvarintInt(symbols.length, "label value count");
      String[] values = new String[nValues];
      int[] offsets = new int[nValues];
      for (int v = 0; v < nValues; v++) {
        values[v] = symbol(d);
        offsets[v] = d.uvarintInt(postLen, "postings offset");
      }
      table.put(name, new Values(values, offsets));
    }
  }

  private Decbuf section(int s, int offset) {
    return new Decbuf(buf, file, sectionStart[s] + offset, sectionEnd[s]);
  }

  private String symbol(Decbuf d) {
    return symbols[d.uvarintInt(symbols.length - 1L, "symbol ref")];
  }

  Path file() {
    return file;
  }

  int[] allPostings() {
    return readPostings(allPostings);
  }

  int[] postings(String name, String value) {
    Values v = table.get(name);
    if (v == null) {
      return new int[0];
    }
    int i = Arrays.binarySearch(v.values(), value);
    return i < 0 ? new int[0] : readPostings(v.offsets()[i]);
  }

  /** Where the postings list of name=value starts in the postings section, or -1. */
  private int postingsOffset(String name, String value) {
    Values v = table.get(name);
    if (v == null) {
      return -1;
    }
    int i = Arrays.binarySearch(v.values(), value);
    return i < 0 ? -1 : v.offsets()[i];
  }

  private int postingsCount(int offset) {
    return section(2, offset).uvarintInt(sectionEnd[2] - sectionStart[2], "postings count");
  }

  /** The refs of sorted {@code a} that the postings list at {@code offset} holds, decoding it once. */
  private int[] intersectPostings(int[] a, int offset) {
    Decbuf d = section(2, offset);
    int n = d.uvarintInt(sectionEnd[2] - sectionStart[2], "postings count");
    int[] out = new int[a.length];
    int k = 0;
    int i = 0;
    long prev = 0;
    for (int j = 0; j < n && i < a.length; j++) {
      prev += d.uvarint();
      if (prev > sectionEnd[1] - sectionStart[1]) {
        throw new CorruptBlockException(file, "series ref " + prev + " beyond the series section");
      }
      while (i < a.length && a[i] < prev) {
        i++;
      }
      if (i < a.length && a[i] == prev) {
        out[k++] = a[i++];
      }
    }
    return Arrays.copyOf(out, k);
  }

  private int[] readPostings(int offset) {
    Decbuf d = section(2, offset);
    int n = d.uvarintInt(sectionEnd[2] - sectionStart[2], "postings count");
    int[] out = new int[n];
    long prev = 0;
    for (int i = 0; i < n; i++) {
      prev += d.uvarint();
      if (prev > sectionEnd[1] - sectionStart[1]) {
        throw new CorruptBlockException(file, "series ref " + prev + " beyond the series section");
      }
      out[i] = (int) prev;
    }
    return out;
  }

  SeriesEntry series(int seriesRef) {
    Decbuf d = section(1, seriesRef);
    int n = d.uvarintInt(symbols.length, "label count");
    String[] kv = new String[2 * n];
    for (int i = 0; i < 2 * n; i++) {
      kv[i] = symbol(d);
    }
    Labels labels;
    try {
      labels = Labels.ofSorted(kv); // the writer stores each series' labels sorted by name
    } catch (IllegalArgumentException e) {
      throw new CorruptBlockException(file, "series " + seriesRef + ": " + e.getMessage());
    }
    int nChunks = d.uvarintInt(sectionEnd[1] - sectionStart[1], "chunk count");
    List<ChunkRef> chunks = new ArrayList<>(nChunks);
    long prevMax = 0;
    long prevRef = 0;
    for (int c = 0; c < nChunks; c++) {
      long mint = c == 0 ? d.varint() : prevMax + d.varint();
      long maxt = mint + d.uvarint();
      long ref = prevRef + d.varint();
      chunks.add(new ChunkRef(mint, maxt, ref));
      prevMax = maxt;
      prevRef = ref;
    }
    return new SeriesEntry(labels, chunks);
  }

  List<String> labelNames() {
    return List.copyOf(table.keySet());
  }

  List<String> labelValues(String name) {
    Values v = table.get(name);
    return v == null ? List.of() : List.of(v.values());
  }

  /**
   * Series refs (sorted) matched by all matchers. Matchers that match the empty value exclude the
   * series whose value fails them; the others intersect the union of their matching values'
   * postings. Each label value is tested once per matcher, never once per series.
   */
  int[] select(List<Matcher> matchers) {
    int[] result = null;
    // Equal matchers first, shortest list first (its length is the list's first field): the
    // longer lists are then decoded only to test the few refs left, never copied out whole.
    List<int[]> equal = new ArrayList<>();
    for (Matcher m : matchers) {
      if (m.type() == Matcher.Type.EQUAL && !m.matchesEmpty()) {
        int offset = postingsOffset(m.name(), m.value());
        if (offset < 0) {
          return new int[0];
        }
        equal.add(new int[] {postingsCount(offset), offset});
      }
    }
    equal.sort((a, b) -> Integer.compare(a[0], b[0]));
    for (int[] e : equal) {
      result = result == null ? readPostings(e[1]) : intersectPostings(result, e[1]);
      if (result.length == 0) {
        return result;
      }
    }
    List<int[]> excludes = new ArrayList<>();
    for (Matcher m : matchers) {
      if (m.matchesEmpty()) {
        excludes.add(union(m, false));
      } else if (m.type() != Matcher.Type.EQUAL) {
        int[] p = union(m, true);
        result = result == null ? p : Postings.intersect(result, p);
      }
      if (result != null && result.length == 0) {
        return result;
      }
    }
    if (result == null) {
      result = allPostings();
    }
    for (int[] ex : excludes) {
      result = Postings.subtract(result, ex);
    }
    return result;
  }

  /** Union of the postings of values of m's label for which m.matches(value) == want. */
  private int[] union(Matcher m, boolean want) {
    Values v = table.get(m.name());
    if (v == null) {
      return new int[0];
    }
    List<int[]> lists = new ArrayList<>();
    for (int i = 0; i < v.values().length; i++) {
      if (m.matches(v.values()[i]) == want) {
        lists.add(readPostings(v.offsets()[i]));
      }
    }
    return Postings.union(lists);
  }
}
