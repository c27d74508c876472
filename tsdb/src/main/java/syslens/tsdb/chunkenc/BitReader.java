package syslens.tsdb.chunkenc;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads bits, most significant first, from a byte array written by {@link BitWriter}. The next
 * bits wait left-aligned in a 64-bit register refilled 8 bytes at a time (as Prometheus'
 * {@code bstreamReader}), so a bit or a short field costs a shift, not an array read.
 */
public final class BitReader {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final byte[] buf;
  /** One past the last byte to read. */
  private final int end;
  /** The next byte to load into {@link #word}. */
  private int next;
  /** The next {@link #valid} bits, left-aligned; the bits below them are zero. */
  private long word;
  private int valid;

  /** Reads {@code buf[offset, length)}. */
  public BitReader(byte[] buf, int offset, int length) {
    requireNonNull(buf, "buf");
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException(
          "offset: " + offset + ", length: " + length + " (expected: within 0.." + buf.length + ")");
    }
    this.buf = buf;
    this.next = offset;
    this.end = offset + length;
  }

  /** Reads {@code nbits} (0..64) bits as an unsigned value. */
  public long readBits(int nbits) {
    if (nbits <= valid && nbits > 0) {
      long v = word >>> (64 - nbits);
      word = nbits == 64 ? 0 : word << nbits;
      valid -= nbits;
      return v;
    }
    return readBitsRefilling(nbits);
  }

  /** {@link #readBits} when the register holds fewer than {@code nbits} (kept apart: small inlined body). */
  private long readBitsRefilling(int nbits) {
    if (nbits < 0 || nbits > 64) {
      throw new IllegalArgumentException("nbits: " + nbits + " (expected: 0..64)");
    }
    if (nbits == 0) {
      return 0;
    }
    // Take the bits left in the register, refill it, take the rest.
    int have = valid;
    long hi = have == 0 ? 0 : word >>> (64 - have);
    int need = nbits - have;
    if ((long) (end - next) * 8 < need) {
      throw pastEnd(nbits);
    }
    refill();
    long lo = word >>> (64 - need);
    word = need == 64 ? 0 : word << need;
    valid -= need;
    return need == 64 ? lo : (hi << need) | lo;
  }

  public boolean readBit() {
    if (valid == 0) {
      refillForBit();
    }
    boolean bit = word < 0;
    word <<= 1;
    valid--;
    return bit;
  }

  private void refillForBit() {
    if (next >= end) {
      throw pastEnd(1);
    }
    refill();
  }

  /** Loads the next up to 8 bytes into the (empty or drained) register. */
  private void refill() {
    if (end - next >= 8) {
      word = (long) LONG_BE.get(buf, next);
      next += 8;
      valid = 64;
      return;
    }
    long w = 0;
    int v = 0;
    while (next < end) {
      w |= (buf[next++] & 0xffL) << (56 - v);
      v += 8;
    }
    word = w;
    valid = v;
  }

  private IllegalStateException pastEnd(int nbits) {
    long pos = (long) next * 8 - valid;
    return new IllegalStateException(
        "read of " + nbits + " bits at bit " + pos + " (expected: <= " + (long) end * 8 + " bits)");
  }

  public int readByte() {
    return (int) readBits(8);
  }

  /** Bits left to read. */
  public long remainingBits() {
    return (long) (end - next) * 8 + valid;
  }
}
