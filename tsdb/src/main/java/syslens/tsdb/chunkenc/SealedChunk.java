package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

import syslens.storage.SampleIterator;

/**
 * The compressed, immutable chunk written into blocks (encoding {@value #ENCODING}); see
 * docs/format/chunk.md, "Sealed chunk". It holds all of one series' samples of a block's time
 * range (up to {@value #MAX_SAMPLES}) and is never appended to:
 *
 * <ul>
 *   <li>timestamps: first as varint, second as varint delta, the rest as varint
 *       delta-of-delta (a 10 s grid becomes a run of zero bytes);
 *   <li>values: decimal mantissas at one common exponent, delta or delta-of-delta coded
 *       (whichever is smaller), with values that have no exact decimal form (NaN, stale markers,
 *       +-Inf, -0.0, long binary fractions) kept raw as exceptions; when too many values are
 *       exceptions the chunk falls back to XOR-of-previous raw bits;
 *   <li>the whole body then passes through zstd when that makes it smaller.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class SealedChunk {
  /** First byte of every sealed chunk. */
  public static final int ENCODING = 2;
  /** First byte of a shared timestamp column. */
  public static final int TIMESTAMPS_ENCODING = 4;
  /** First byte of a values chunk whose timestamps are a shared column. */
  public static final int SHARED_ENCODING = 5;
  public static final int MAX_SAMPLES = 1 << 20;
  static final int FLAG_ZSTD = 1;
  static final int VALUES_DECIMAL = 0;
  static final int VALUES_XOR = 1;
  static final int INT_DELTA = 0;
  static final int INT_DELTA2 = 1;

  private SealedChunk() {}

  /** Encodes samples {@code [0, n)} of ts/vs (timestamps ascending). */
  public static byte[] encode(long[] ts, double[] vs, int n) {
    requireNonNull(ts, "ts");
    requireNonNull(vs, "vs");
    if (n < 0 || n > ts.length || n > vs.length || n > MAX_SAMPLES) {
      throw new IllegalArgumentException("n: " + n + " (expected: 0.." + Math.min(MAX_SAMPLES,
          Math.min(ts.length, vs.length)) + ")");
    }
    ByteBuf body = new ByteBuf(16 + n * 3);
    body.putUvarint(n);
    encodeTimestamps(body, ts, n);
    encodeValues(body, vs, n);
    return frame(ENCODING, body, n);
  }

  static void encodeTimestamps(ByteBuf b, long[] ts, int n) {
    long prev = 0;
    long prevDelta = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        b.putVarint(ts[0]);
      } else {
        long d = ts[i] - prev;
        b.putVarint(i == 1 ? d : d - prevDelta);
        prevDelta = d;
      }
      prev = ts[i];
    }
  }

  static void encodeValues(ByteBuf b, double[] vs, int n) {
    int e = Integer.MAX_VALUE;
    long lastBits = 0;
    for (int i = 0; i < n; i++) {
      long bits = Double.doubleToRawLongBits(vs[i]);
      if (i > 0 && bits == lastBits) {
        continue; // repeated value (constant gauges): same exponent
      }
      lastBits = bits;
      int x = DecimalCodec.exponentOf(vs[i]);
      if (x != Integer.MIN_VALUE) {
        e = Math.min(e, x);
      }
    }
    if (e == Integer.MAX_VALUE) {
      e = 0;
    }
    long[] m = new long[n];
    boolean[] exception = new boolean[n];
    int exceptions = 0;
    long prev = 0;
    for (int i = 0; i < n; i++) {
      long bits = Double.doubleToRawLongBits(vs[i]);
      if (i > 0 && bits == Double.doubleToRawLongBits(vs[i - 1])) {
        m[i] = m[i - 1]; // repeated value: same mantissa (or the same exception)
        exception[i] = exception[i - 1];
        exceptions += exception[i] ? 1 : 0;
        continue;
      }
      long x = DecimalCodec.mantissa(vs[i], e);
      if (x == Long.MIN_VALUE) {
        exceptions++;
        exception[i] = true;
        x = prev;
      }
      m[i] = x;
      prev = x;
    }
    if (exceptions > n / 4 + 1) {
      b.put(VALUES_XOR);
      long prevBits = 0;
      for (int i = 0; i < n; i++) {
        long bits = Double.doubleToRawLongBits(vs[i]);
        b.putLongBE(bits ^ prevBits);
        prevBits = bits;
      }
      return;
    }
    b.put(VALUES_DECIMAL).putVarint(e);
    long size1 = 0;
    long size2 = 0;
    for (int i = 1; i < n; i++) {
      size1 += ByteBuf.varintSize(m[i] - m[i - 1]);
      if (i >= 2) {
        size2 += ByteBuf.varintSize((m[i] - m[i - 1]) - (m[i - 1] - m[i - 2]));
      } else {
        size2 += ByteBuf.varintSize(m[i] - m[i - 1]);
      }
    }
    int mode = size2 < size1 ? INT_DELTA2 : INT_DELTA;
    b.put(mode);
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        b.putVarint(m[0]);
      } else if (i == 1 || mode == INT_DELTA) {
        b.putVarint(m[i] - m[i - 1]);
      } else {
        b.putVarint((m[i] - m[i - 1]) - (m[i - 1] - m[i - 2]));
      }
    }
    b.putUvarint(exceptions);
    int last = 0;
    for (int i = 0; i < n && exceptions > 0; i++) {
      if (exception[i]) {
        b.putUvarint(i - last);
        b.putLongBE(Double.doubleToRawLongBits(vs[i]));
        last = i;
      }
    }
  }

  /** Decoded samples of a sealed chunk. */
  public record Samples(long[] timestamps, double[] values) {
    public int size() {
      return timestamps.length;
    }

    public SampleIterator iterator() {
      return new ArrayIterator(timestamps, values, timestamps.length);
    }
  }

  /**
   * Decodes a sealed chunk.
   *
   * @throws CorruptChunkException when the bytes are not a valid sealed chunk
   */
  public static Samples decode(byte[] chunk) {
    requireNonNull(chunk, "chunk");
    return decodeBody(chunk, ENCODING);
  }

  static ByteReader body(byte[] chunk, int encoding) {
    ByteReader head = new ByteReader(chunk, 0, chunk.length);
    int enc = head.get();
    if (enc != encoding) {
      throw new CorruptChunkException("chunk encoding " + enc + " (expected: " + encoding + ")");
    }
    int flags = head.get();
    byte[] body;
    int off;
    if ((flags & FLAG_ZSTD) != 0) {
      long len = head.getUvarint();
      if (len <= 0 || len > 128L * MAX_SAMPLES) {
        throw new CorruptChunkException("sealed chunk body length " + len + " (expected: 1.." + 128L * MAX_SAMPLES + ")");
      }
      body = Zstd.decompress(chunk, head.position(), chunk.length - head.position(), (int) len);
      off = 0;
    } else if (flags == 0) {
      body = chunk;
      off = head.position();
    } else {
      throw new CorruptChunkException("sealed chunk flags " + flags + " (expected: 0 or 1)");
    }
    return new ByteReader(body, off, body.length);
  }

  private static Samples decodeBody(byte[] chunk, int encoding) {
    ByteReader r = body(chunk, encoding);
    int count = readCount(r);
    long[] ts = decodeTimestamps(r, count);
    double[] vs = decodeValues(r, count);
    return new Samples(ts, vs);
  }

  static int readCount(ByteReader r) {
    long n = r.getUvarint();
    if (n < 0 || n > MAX_SAMPLES || n > r.remaining()) {
      throw new CorruptChunkException("sealed chunk sample count " + n + " (expected: <= " + Math.min(MAX_SAMPLES, r.remaining()) + ")");
    }
    return (int) n;
  }

  static long[] decodeTimestamps(ByteReader r, int count) {
    long[] ts = new long[count];
    long prev = 0;
    long prevDelta = 0;
    for (int i = 0; i < count; i++) {
      if (i == 0) {
        prev = r.getVarint();
      } else {
        long x = r.getVarint();
        long d = i == 1 ? x : prevDelta + x;
        prev += d;
        prevDelta = d;
      }
      ts[i] = prev;
    }
    return ts;
  }

  static double[] decodeValues(ByteReader r, int count) {
    double[] vs = new double[count];
    if (count == 0) {
      return vs;
    }
    int mode = r.get();
    if (mode == VALUES_XOR) {
      long bits = 0;
      for (int i = 0; i < count; i++) {
        bits ^= r.getLongBE();
        vs[i] = Double.longBitsToDouble(bits);
      }
    } else if (mode == VALUES_DECIMAL) {
      long e = r.getVarint();
      if (e != (int) e || !DecimalCodec.validExponent((int) e)) {
        throw new CorruptChunkException("decimal exponent " + e + " (expected: -18..22)");
      }
      int intMode = r.get();
      if (intMode != INT_DELTA && intMode != INT_DELTA2) {
        throw new CorruptChunkException("integer mode " + intMode + " (expected: 0 or 1)");
      }
      long m = 0;
      long d = 0;
      for (int i = 0; i < count; i++) {
        if (i == 0) {
          m = r.getVarint();
        } else if (i == 1 || intMode == INT_DELTA) {
          d = r.getVarint();
          m += d;
        } else {
          d += r.getVarint();
          m += d;
        }
        vs[i] = DecimalCodec.value(m, (int) e);
      }
      long exceptions = r.getUvarint();
      if (exceptions > count) {
        throw new CorruptChunkException("exceptions " + exceptions + " (expected: <= " + count + ")");
      }
      long pos = 0;
      for (long k = 0; k < exceptions; k++) {
        pos += r.getUvarint();
        if (pos >= count) {
          throw new CorruptChunkException("exception position " + pos + " (expected: < " + count + ")");
        }
        vs[(int) pos] = Double.longBitsToDouble(r.getLongBE());
      }
    } else {
      throw new CorruptChunkException("value mode " + mode + " (expected: 0 or 1)");
    }
    return vs;
  }

  /**
   * Moves {@code r} past a column written by {@link #encodeValues} without decoding its values
   * (a rollup reader that needs other columns); checks what {@link #decodeValues} checks of the
   * column's structure.
   */
  static void skipValues(ByteReader r, int count) {
    if (count == 0) {
      return;
    }
    int mode = r.get();
    if (mode == VALUES_XOR) {
      if (count > r.remaining() / 8) {
        throw new CorruptChunkException("XOR column of " + count + " values in " + r.remaining()
            + " bytes (expected: 8 bytes a value)");
      }
      r.skip(8 * count);
    } else if (mode == VALUES_DECIMAL) {
      long e = r.getVarint();
      if (e != (int) e || !DecimalCodec.validExponent((int) e)) {
        throw new CorruptChunkException("decimal exponent " + e + " (expected: -18..22)");
      }
      int intMode = r.get();
      if (intMode != INT_DELTA && intMode != INT_DELTA2) {
        throw new CorruptChunkException("integer mode " + intMode + " (expected: 0 or 1)");
      }
      r.skipVarints(count);
      long exceptions = r.getUvarint();
      if (exceptions > count) {
        throw new CorruptChunkException("exceptions " + exceptions + " (expected: <= " + count + ")");
      }
      long pos = 0;
      for (long k = 0; k < exceptions; k++) {
        pos += r.getUvarint();
        if (pos >= count) {
          throw new CorruptChunkException("exception position " + pos + " (expected: < " + count + ")");
        }
        r.skip(8);
      }
    } else {
      throw new CorruptChunkException("value mode " + mode + " (expected: 0 or 1)");
    }
  }

  /** Wraps a body in the chunk header, zstd-compressing it when that is smaller. */
  static byte[] frame(int encoding, ByteBuf body, int n) {
    ByteBuf out = new ByteBuf(body.length() / 2 + 16);
    out.put(encoding);
    byte[] packed = n >= 8 ? Zstd.compress(body.array(), body.length()) : null;
    if (packed != null && packed.length + ByteBuf.uvarintSize(body.length()) < body.length()) {
      out.put(FLAG_ZSTD).putUvarint(body.length()).put(packed);
    } else {
      out.put(0).put(body.array(), 0, body.length());
    }
    return out.toArray();
  }

  /**
   * Encodes a timestamp column (encoding {@value #TIMESTAMPS_ENCODING}) that several series of a
   * block share: hosts scrape all their series at once, so one column serves hundreds of series.
   */
  public static byte[] encodeTimestamps(long[] ts, int n) {
    requireNonNull(ts, "ts");
    if (n < 0 || n > ts.length || n > MAX_SAMPLES) {
      throw new IllegalArgumentException("n: " + n + " (expected: 0.." + Math.min(ts.length, MAX_SAMPLES) + ")");
    }
    ByteBuf body = new ByteBuf(16 + n);
    body.putUvarint(n);
    encodeTimestamps(body, ts, n);
    return frame(TIMESTAMPS_ENCODING, body, n);
  }

  /** Decodes a timestamp column. */
  public static long[] decodeTimestamps(byte[] chunk) {
    ByteReader r = body(requireNonNull(chunk, "chunk"), TIMESTAMPS_ENCODING);
    return decodeTimestamps(r, readCount(r));
  }

  /**
   * Encodes values whose timestamps live in the timestamp column at chunk reference
   * {@code timestampsRef} of the same block (encoding {@value #SHARED_ENCODING}).
   */
  public static byte[] encodeShared(long timestampsRef, double[] vs, int n) {
    requireNonNull(vs, "vs");
    if (n < 0 || n > vs.length || n > MAX_SAMPLES) {
      throw new IllegalArgumentException("n: " + n + " (expected: 0.." + Math.min(vs.length, MAX_SAMPLES) + ")");
    }
    ByteBuf body = new ByteBuf(16 + n * 2);
    body.putUvarint(n).putUvarint(timestampsRef);
    encodeValues(body, vs, n);
    return frame(SHARED_ENCODING, body, n);
  }

  /** Values of a chunk with shared timestamps, and where its timestamp column is. */
  public record SharedValues(long timestampsRef, double[] values) {}

  /** Decodes a chunk with shared timestamps (the caller resolves the timestamp column). */
  public static SharedValues decodeShared(byte[] chunk) {
    ByteReader r = body(requireNonNull(chunk, "chunk"), SHARED_ENCODING);
    int n = readCount(r);
    long ref = r.getUvarint();
    return new SharedValues(ref, decodeValues(r, n));
  }

  /** An iterator over a sealed chunk (decodes it whole). */
  public static SampleIterator iterator(byte[] chunk) {
    return decode(chunk).iterator();
  }
}
