package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

import syslens.storage.SampleIterator;

/**
 * A Gorilla/Prometheus XOR chunk being appended to. Layout (see docs/format/chunk.md): a 2-byte
 * big-endian sample count, then a bit stream: sample 0 as varint(t) + 64 raw value bits, sample 1
 * as uvarint(t delta) + XOR value, later samples as delta-of-delta timestamp + XOR value.
 *
 * <p>Timestamp arithmetic wraps (two's complement), so every sequence of longs round-trips, even
 * deltas that overflow 63 bits; callers normally append in timestamp order. Values are stored
 * bit-exactly (NaN payloads such as Prometheus' stale marker survive).
 *
 * <p>Not thread-safe: the owner serializes {@link #append} and copies {@link #bytes()} for readers.
 * The bit stream is the object itself (it extends {@link BitWriter}) and the newest timestamp is
 * the largest: a head's open chunk per series is one object of 48 bytes, not two of 96 (the count
 * and the XOR window's bit counts are narrowed to what they hold: at most 65,535, 31 and 63; the
 * oldest timestamp is read back from the stream, where it is the first).
 */
public final class XorChunk extends BitWriter {
  /** Samples per chunk the count header can hold. */
  public static final int MAX_SAMPLES = 0xffff;
  static final int HEADER_BYTES = 2;
  private static final byte NO_WINDOW = -1;

  private long t;
  private long tDelta;
  private long vBits;
  /** Samples appended (at most {@link #MAX_SAMPLES}). */
  private char count;
  /** Leading zero bits of the XOR window (at most 31), {@link #NO_WINDOW} before the first. */
  private byte leading = NO_WINDOW;
  private byte trailing;

  private XorChunk() {
    // Starts small: the open chunk of each head series holds this buffer (docs/benchmarks.md).
    super(32);
    writeBits(0, 16);
  }

  public static XorChunk create() {
    return new XorChunk();
  }

  /** Appends one sample; timestamps must increase ({@link #maxTime()} is the newest one). */
  public void append(long ts, double value) {
    if (count == MAX_SAMPLES) {
      throw new IllegalStateException("chunk: " + (int) count + " samples (expected: < " + MAX_SAMPLES + ")");
    }
    long bits = Double.doubleToRawLongBits(value);
    if (count == 0) {
      writeVarint(this, ts);
      writeBits(bits, 64);
      tDelta = 0;
    } else if (count == 1) {
      long delta = ts - t;
      writeUvarint(this, delta);
      writeValue(bits);
      tDelta = delta;
    } else {
      long delta = ts - t;
      long dod = delta - tDelta;
      if (dod == 0) {
        writeBits(0, 1);
      } else if (bitRange(dod, 14)) {
        writeBits(0b10, 2);
        writeBits(dod, 14);
      } else if (bitRange(dod, 17)) {
        writeBits(0b110, 3);
        writeBits(dod, 17);
      } else if (bitRange(dod, 20)) {
        writeBits(0b1110, 4);
        writeBits(dod, 20);
      } else {
        writeBits(0b1111, 4);
        writeBits(dod, 64);
      }
      writeValue(bits);
      tDelta = delta;
    }
    t = ts;
    vBits = bits;
    count++;
    setByte(0, count >>> 8);
    setByte(1, count);
  }

  private void writeValue(long bits) {
    long delta = bits ^ vBits;
    if (delta == 0) {
      writeBits(0, 1);
      return;
    }
    writeBits(1, 1);
    int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
    int newTrailing = Long.numberOfTrailingZeros(delta);
    if (leading != NO_WINDOW && newLeading >= leading && newTrailing >= trailing) {
      writeBits(0, 1);
      writeBits(delta >>> trailing, 64 - leading - trailing);
      return;
    }
    leading = (byte) newLeading;
    trailing = (byte) newTrailing;
    writeBits(1, 1);
    writeBits(newLeading, 5);
    int sigbits = 64 - newLeading - newTrailing;
    writeBits(sigbits & 0x3f, 6); // 64 is written as 0
    writeBits(delta >>> newTrailing, sigbits);
  }

  /** Whether x fits the n-bit bucket: -(2^(n-1) - 1) <= x <= 2^(n-1), as in Prometheus. */
  static boolean bitRange(long x, int nbits) {
    long half = 1L << (nbits - 1);
    return -(half - 1) <= x && x <= half;
  }

  public int numSamples() {
    return count;
  }

  /**
   * The first timestamp appended (the smallest: samples are appended in time order), or
   * Long.MAX_VALUE when empty. Decoded from the stream (a varint after the 2-byte header), not
   * kept in a field: 8 bytes for each of a head's millions of open chunks.
   */
  public long minTime() {
    if (count == 0) {
      return Long.MAX_VALUE;
    }
    long u = 0;
    for (int i = HEADER_BYTES, shift = 0; ; i++, shift += 7) {
      int b = byteAt(i);
      u |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (u >>> 1) ^ -(u & 1);
      }
    }
  }

  /** Newest (largest: samples are appended in time order) timestamp, or Long.MIN_VALUE when empty. */
  public long maxTime() {
    return count == 0 ? Long.MIN_VALUE : t;
  }

  /** The newest sample's timestamp; only meaningful when {@link #numSamples()} > 0. */
  public long lastTimestamp() {
    return t;
  }

  /** The newest sample's raw value bits; only meaningful when {@link #numSamples()} > 0. */
  public long lastValueBits() {
    return vBits;
  }

  @Override
  public int byteLength() {
    return super.byteLength();
  }

  /** A copy of the encoded chunk (header + bit stream). */
  @Override
  public byte[] bytes() {
    return super.bytes();
  }

  /** An iterator over a snapshot of this chunk. */
  public SampleIterator iterator() {
    return new XorIterator(bytes());
  }

  /** An iterator over encoded chunk bytes (from {@link #bytes()}). */
  public static SampleIterator iterator(byte[] chunk) {
    return new XorIterator(requireNonNull(chunk, "chunk"));
  }

  /** The sample count stored in an encoded chunk's header. */
  public static int numSamples(byte[] chunk) {
    if (chunk.length < HEADER_BYTES) {
      throw new IllegalArgumentException("chunk: " + chunk.length + " bytes (expected: >= 2)");
    }
    return ((chunk[0] & 0xff) << 8) | (chunk[1] & 0xff);
  }

  static void writeUvarint(BitWriter w, long v) {
    while ((v & ~0x7FL) != 0) {
      w.writeByte((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    w.writeByte((int) v);
  }

  static void writeVarint(BitWriter w, long v) {
    writeUvarint(w, (v << 1) ^ (v >> 63));
  }

  static long readUvarint(BitReader r) {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int b = r.readByte();
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalStateException("uvarint: longer than 10 bytes (expected: a valid uvarint)");
  }

  static long readVarint(BitReader r) {
    long u = readUvarint(r);
    return (u >>> 1) ^ -(u & 1);
  }
}
