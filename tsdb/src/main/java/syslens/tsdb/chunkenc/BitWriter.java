package syslens.tsdb.chunkenc;

import java.util.Arrays;

/**
 * Appends bits, most significant bit first, to a growable byte array. Not thread-safe; the owner
 * (one chunk) serializes writes and copies {@link #bytes()} under its own lock for readers.
 */
public final class BitWriter {
  private byte[] buf;
  /** Number of bits written. */
  private long bitLen;

  public BitWriter(int initialBytes) {
    if (initialBytes < 1) {
      throw new IllegalArgumentException("initialBytes: " + initialBytes + " (expected: > 0)");
    }
    this.buf = new byte[initialBytes];
  }

  /** Writes the low {@code nbits} bits of {@code value}, highest of them first. */
  public void writeBits(long value, int nbits) {
    if (nbits < 0 || nbits > 64) {
      throw new IllegalArgumentException("nbits: " + nbits + " (expected: 0..64)");
    }
    ensure(bitLen + nbits);
    int remaining = nbits;
    while (remaining > 0) {
      int byteIdx = (int) (bitLen >>> 3);
      int free = 8 - (int) (bitLen & 7);
      int take = Math.min(free, remaining);
      int shift = remaining - take;
      int bits = (int) ((value >>> shift) & ((1L << take) - 1));
      buf[byteIdx] |= (byte) (bits << (free - take));
      bitLen += take;
      remaining -= take;
    }
  }

  public void writeBit(boolean bit) {
    writeBits(bit ? 1 : 0, 1);
  }

  /** Writes whole bytes; only valid at a byte boundary. */
  public void writeByte(int b) {
    writeBits(b & 0xff, 8);
  }

  /** Overwrites an already written byte (used for the chunk header). */
  public void setByte(int index, int b) {
    if (index < 0 || (long) index >= ((bitLen + 7) >>> 3)) {
      throw new IndexOutOfBoundsException("index: " + index + " (expected: < " + byteLength() + ")");
    }
    buf[index] = (byte) b;
  }

  public long bitLength() {
    return bitLen;
  }

  /** Bytes holding all written bits; the last one is zero-padded. */
  public int byteLength() {
    return (int) ((bitLen + 7) >>> 3);
  }

  /** A copy of the written bytes. */
  public byte[] bytes() {
    return Arrays.copyOf(buf, byteLength());
  }

  private void ensure(long bits) {
    long needBytes = (bits + 7) >>> 3;
    if (needBytes > buf.length) {
      if (needBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("bit stream of " + needBytes + " bytes (expected: < 2 GiB)");
      }
      // Grows by half (at least 16 bytes): a head holds one open chunk per series, so the slack
      // past its last byte is paid once per series.
      long grown = Math.min(Integer.MAX_VALUE - 8L, buf.length + Math.max(16L, buf.length >> 1));
      buf = Arrays.copyOf(buf, (int) Math.max(needBytes, grown));
    }
  }
}
