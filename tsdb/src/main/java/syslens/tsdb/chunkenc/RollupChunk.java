package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

/**
 * A sealed chunk of rollups (encoding {@value #ENCODING}, docs/format/chunk.md): one point per
 * interval that has samples, at the timestamp of the interval's last raw sample, with six value
 * columns in a fixed order: min, max, sum, count, last, and a reset-aware increase (the sum of
 * the increases between consecutive raw samples ending in the interval, a drop counting as a
 * counter reset). Each column is encoded like a {@link SealedChunk}'s values; the body is
 * zstd-compressed when that is smaller.
 */
public final class RollupChunk {
  public static final int ENCODING = 3;
  public static final int COLUMNS = 6;

  /** The value columns, in their on-disk order. */
  public enum Column {
    MIN, MAX, SUM, COUNT, LAST, INCREASE;

    /**
     * This column's bit in a column set ({@link #decode(byte[], int)}); the same bits as
     * {@code syslens.storage.Aggregates.ALL_COLUMNS}'.
     */
    public int bit() {
      return 1 << ordinal();
    }
  }

  /** The set of every column. */
  public static final int ALL = (1 << COLUMNS) - 1;

  private RollupChunk() {}

  /**
   * Decoded rollup points: timestamps and one array per {@link Column}. A column left out of a
   * {@link #decode(byte[], int) partial decode} holds NaN at every point.
   */
  public record Points(long[] timestamps, double[][] columns) {
    public int size() {
      return timestamps.length;
    }

    public double[] column(Column c) {
      return columns[c.ordinal()];
    }
  }

  /** Encodes points [0, n); {@code columns[c.ordinal()]} holds column c. */
  public static byte[] encode(long[] ts, double[][] columns, int n) {
    requireNonNull(ts, "ts");
    requireNonNull(columns, "columns");
    if (columns.length != COLUMNS) {
      throw new IllegalArgumentException("columns: " + columns.length + " (expected: " + COLUMNS + ")");
    }
    if (n < 0 || n > ts.length || n > SealedChunk.MAX_SAMPLES) {
      throw new IllegalArgumentException("n: " + n + " (expected: 0.." + Math.min(ts.length, SealedChunk.MAX_SAMPLES) + ")");
    }
    ByteBuf body = new ByteBuf(16 + n * 8);
    body.putUvarint(n);
    SealedChunk.encodeTimestamps(body, ts, n);
    for (double[] col : columns) {
      if (col.length < n) {
        throw new IllegalArgumentException("column length " + col.length + " (expected: >= " + n + ")");
      }
      SealedChunk.encodeValues(body, col, n);
    }
    return SealedChunk.frame(ENCODING, body, n);
  }

  /**
   * Decodes a rollup chunk.
   *
   * @throws CorruptChunkException when the bytes are not a valid rollup chunk
   */
  public static Points decode(byte[] chunk) {
    return decode(chunk, ALL);
  }

  /**
   * Decodes the timestamps and the columns in {@code columns} (a set of {@link Column#bit()}s);
   * the others are skipped without decoding their values (those after the last one wanted are
   * not read at all) and hold NaN. The columns decoded equal a full {@link #decode(byte[])}'s.
   *
   * @throws CorruptChunkException when the bytes are not a valid rollup chunk
   */
  public static Points decode(byte[] chunk, int columns) {
    requireNonNull(chunk, "chunk");
    if ((columns & ~ALL) != 0) {
      throw new IllegalArgumentException("columns: " + Integer.toBinaryString(columns)
          + " (expected: a set of the " + COLUMNS + " column bits)");
    }
    ByteReader r = SealedChunk.body(chunk, ENCODING);
    int n = SealedChunk.readCount(r);
    long[] ts = SealedChunk.decodeTimestamps(r, n);
    double[][] cols = new double[COLUMNS][];
    double[] absent = null;
    int lastWanted = 31 - Integer.numberOfLeadingZeros(columns);
    for (int c = 0; c < COLUMNS; c++) {
      if ((columns & (1 << c)) != 0) {
        cols[c] = SealedChunk.decodeValues(r, n);
        continue;
      }
      if (c < lastWanted) {
        SealedChunk.skipValues(r, n);
      }
      if (absent == null) {
        absent = nans(n);
      }
      cols[c] = absent;
    }
    return new Points(ts, cols);
  }

  private static double[] nans(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, Double.NaN);
    return a;
  }

  /** The points of consecutive chunks with timestamps in [mint, maxt], concatenated. */
  public static Points slice(java.util.List<Points> parts, long mint, long maxt) {
    return slice(parts, mint, maxt, ALL);
  }

  /**
   * The points of consecutive chunks with timestamps in [mint, maxt], concatenated, copying only
   * the columns in {@code columns} (the others hold NaN). One part wholly inside the range is
   * returned as it is.
   */
  public static Points slice(java.util.List<Points> parts, long mint, long maxt, int columns) {
    if (parts.size() == 1) {
      long[] t = parts.get(0).timestamps();
      if (t.length == 0 || (t[0] >= mint && t[t.length - 1] <= maxt)) {
        return parts.get(0);
      }
    }
    int n = 0;
    for (Points p : parts) {
      for (long t : p.timestamps()) {
        if (t >= mint && t <= maxt) {
          n++;
        }
      }
    }
    long[] ts = new long[n];
    double[][] cols = new double[COLUMNS][];
    double[] absent = null;
    for (int c = 0; c < COLUMNS; c++) {
      if ((columns & (1 << c)) != 0) {
        cols[c] = new double[n];
      } else {
        cols[c] = absent == null ? (absent = nans(n)) : absent;
      }
    }
    int k = 0;
    for (Points p : parts) {
      for (int i = 0; i < p.size(); i++) {
        long t = p.timestamps()[i];
        if (t >= mint && t <= maxt) {
          ts[k] = t;
          for (int c = 0; c < COLUMNS; c++) {
            if ((columns & (1 << c)) != 0) {
              cols[c][k] = p.columns()[c][i];
            }
          }
          k++;
        }
      }
    }
    return new Points(ts, cols);
  }
}
