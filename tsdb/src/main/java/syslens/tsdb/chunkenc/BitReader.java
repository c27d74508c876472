package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Reads bits, most significant first, from a byte array written by {@link BitWriter}. */
public final class BitReader {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

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
    int at = (int) (pos >>> 3);
    if (nbits <= 56 && at + 8 <= buf.length) {
      // One big-endian 8-byte read holds the bit offset (<= 7) plus up to 56 bits.
      if (nbits == 0) {
        return 0;
      }
      long word = (long) LONG_BE.get(buf, at);
      int off = (int) (pos & 7);
      pos += nbits;
      return (word << off) >>> (64 - nbits);
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
    if (pos >= limitBits) {
      throw new IllegalStateException(
          "read of 1 bit at bit " + pos + " (expected: <= " + limitBits + " bits)");
    }
    boolean bit = ((buf[(int) (pos >>> 3)] >>> (7 - (int) (pos & 7))) & 1) != 0;
    pos++;
    return bit;
  }

  public int readByte() {
    return (int) readBits(8);
  }

  /** Bits left to read. */
  public long remainingBits() {
    return limitBits - pos;
  }
}
