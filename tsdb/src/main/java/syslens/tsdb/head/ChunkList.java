package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.List;

/**
 * A series' closed chunks, oldest first, held in one field without a wrapper: null (none), one
 * {@link ChunkMeta} (the common case: a restarted server's series holds its restored chunk), or an
 * exactly sized {@code ChunkMeta[]} of two or more. The single chunk needs no array: 24 bytes a
 * series at millions of series. Immutable values: every change returns a new one.
 */
final class ChunkList {
  private ChunkList() {}

  static int size(Object chunks) {
    return chunks == null ? 0 : chunks instanceof ChunkMeta ? 1 : ((ChunkMeta[]) chunks).length;
  }

  static ChunkMeta get(Object chunks, int i) {
    if (chunks instanceof ChunkMeta c && i == 0) {
      return c;
    }
    if (chunks instanceof ChunkMeta[] a) {
      return a[i];
    }
    throw new IndexOutOfBoundsException("chunk: " + i + " (expected: < " + size(chunks) + ")");
  }

  /** {@code chunks} with {@code c} appended. */
  static Object with(Object chunks, ChunkMeta c) {
    int n = size(chunks);
    if (n == 0) {
      return c;
    }
    ChunkMeta[] out = new ChunkMeta[n + 1];
    for (int i = 0; i < n; i++) {
      out[i] = get(chunks, i);
    }
    out[n] = c;
    return out;
  }

  /** {@code chunks} with {@code more} appended. */
  static Object concat(Object chunks, List<ChunkMeta> more) {
    Object out = chunks;
    for (ChunkMeta c : more) {
      out = with(out, c); // restore: a handful of chunks, once a series
    }
    return out;
  }

  /** The chunks ending at or after {@code t} (the same value when that is all of them). */
  static Object endingAtOrAfter(Object chunks, long t) {
    int n = size(chunks);
    int keep = 0;
    for (int i = 0; i < n; i++) {
      keep += get(chunks, i).maxTime() < t ? 0 : 1;
    }
    if (keep == n) {
      return chunks;
    }
    Object out = null;
    for (int i = 0; i < n; i++) {
      if (get(chunks, i).maxTime() >= t) {
        out = with(out, get(chunks, i));
      }
    }
    return out;
  }

  /** Adds the chunks overlapping [mint, maxt] to {@code out}. */
  static void overlapping(Object chunks, long mint, long maxt, List<ChunkMeta> out) {
    int n = size(chunks);
    for (int i = 0; i < n; i++) {
      ChunkMeta c = get(chunks, i);
      if (c.overlaps(mint, maxt)) {
        out.add(c);
      }
    }
  }

  /** All of them, oldest first (an unmodifiable list). */
  static List<ChunkMeta> asList(Object chunks) {
    List<ChunkMeta> out = new ArrayList<>(size(chunks));
    overlapping(chunks, Long.MIN_VALUE, Long.MAX_VALUE, out);
    return List.copyOf(out);
  }
}
