package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

/** Reads bits, most significant first, from a byte array written by {@link BitWriter}. */
public final class BitReader {
  private final byte[] buf;
  private final long limitBits;
  private long pos;

  /** Reads {@code buf[offset, length)}. */
  public BitReader(byte[] buf, int offset, int length) {
    requireNonNull(buf, "buf");
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException(
          "offset: " + offset + ", length: " + length + " (expected: within 0.." + buf.length + ")");
    }
    this.buf = buf;
    this.pos = (long) offset * 8;
    this.limitBits = (long) (offset + length) * 8;
  }

  /** Reads {@code nbits} (0..64) bits as an unsigned value. */
  public long readBits(int nbits) {
    if (nbits < 0 || nbits > 64) {
      throw new IllegalArgumentException("nbits: " + nbits + " (expected: 0..64)");
    }
    if (pos + nbits > limitBits) {
      throw new IllegalStateException(
          "read of " + nbits + " bits at bit " + pos + " (expected: <= " + limitBits + " bits)");
    }
    long v = 0;
    int remaining = nbits;
    while (remaining > 0) {
      int cur = buf[(int) (pos >>> 3)] & 0xff;
      int avail = 8 - (int) (pos & 7);
      int take = Math.min(avail, remaining);
      int bits = (cur >>> (avail - take)) & ((1 << take) - 1);
      v = (v << take) | bits;
      pos += take;
      remaining -= take;
    }
    return v;
  }

  public boolean readBit() {
    return readBits(1) != 0;
  }

  public int readByte() {
    return (int) readBits(8);
  }

  /** Bits left to read. */
  public long remainingBits() {
    return limitBits - pos;
  }
}
