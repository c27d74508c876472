package syslens.tsdb.chunkenc;

import java.util.Arrays;

/**
 * Appends bits, most significant bit first, to a growable byte array. Not thread-safe; the owner
 * (one chunk) serializes writes and copies {@link #bytes()} under its own lock for readers.
 *
 * <p>{@link XorChunk} extends it rather than holding one: a head keeps one open chunk per series,
 * and one object instead of two saves ~24 bytes per series (object header, reference, padding).
 * Hence package-private and not final; its methods are package-private so that they do not become
 * part of {@link XorChunk}'s public API.
 */
class BitWriter {
  private byte[] buf;
  /** Number of bits written (a chunk holds at most 65,535 samples of at most ~150 bits each). */
  private int bitLen;

  BitWriter(int initialBytes) {
    if (initialBytes < 1) {
      throw new IllegalArgumentException("initialBytes: " + initialBytes + " (expected: > 0)");
    }
    this.buf = new byte[initialBytes];
  }

  /** Writes the low {@code nbits} bits of {@code value}, highest of them first. */
  final void writeBits(long value, int nbits) {
    if (nbits < 0 || nbits > 64) {
      throw new IllegalArgumentException("nbits: " + nbits + " (expected: 0..64)");
    }
    ensure(bitLen + nbits);
    int remaining = nbits;
    while (remaining > 0) {
      int byteIdx = bitLen >>> 3;
      int free = 8 - (bitLen & 7);
      int take = Math.min(free, remaining);
      int shift = remaining - take;
      int bits = (int) ((value >>> shift) & ((1L << take) - 1));
      buf[byteIdx] |= (byte) (bits << (free - take));
      bitLen += take;
      remaining -= take;
    }
  }

  final void writeBit(boolean bit) {
    writeBits(bit ? 1 : 0, 1);
  }

  /** Writes whole bytes; only valid at a byte boundary. */
  final void writeByte(int b) {
    writeBits(b & 0xff, 8);
  }

  /** Overwrites an already written byte (used for the chunk header). */
  final void setByte(int index, int b) {
    if (index < 0 || index >= byteLength()) {
      throw new IndexOutOfBoundsException("index: " + index + " (expected: < " + byteLength() + ")");
    }
    buf[index] = (byte) b;
  }

  /** A written byte, 0..255. */
  final int byteAt(int index) {
    return buf[index] & 0xff;
  }

  final long bitLength() {
    return bitLen;
  }

  /** Bytes holding all written bits; the last one is zero-padded. */
  int byteLength() {
    return (int) ((bitLen + 7L) >>> 3);
  }

  /** A copy of the written bytes. */
  byte[] bytes() {
    return Arrays.copyOf(buf, byteLength());
  }

  private void ensure(long bits) {
    if (bits > Integer.MAX_VALUE) {
      throw new IllegalStateException("bit stream of " + bits + " bits (expected: < 2^31, 256 MiB)");
    }
    long needBytes = (bits + 7) >>> 3;
    if (needBytes > buf.length) {
      // Grows by half (at least 16 bytes): a head holds one open chunk per series, so the slack
      // past its last byte is paid once per series.
      long grown = Math.min(Integer.MAX_VALUE - 8L, buf.length + Math.max(16L, buf.length >> 1));
      buf = Arrays.copyOf(buf, (int) Math.max(needBytes, grown));
    }
  }
}
