package syslens.tsdb.chunkenc;

import java.util.Arrays;

/** A growable little byte array with the varint helpers the sealed formats use. Not thread-safe. */
public final class ByteBuf {
  private byte[] buf;
  private int len;

  public ByteBuf(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  public ByteBuf put(int b) {
    ensure(1);
    buf[len++] = (byte) b;
    return this;
  }

  public ByteBuf put(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  public ByteBuf put(byte[] b) {
    return put(b, 0, b.length);
  }

  public ByteBuf putUvarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  public ByteBuf putVarint(long v) {
    return putUvarint((v << 1) ^ (v >> 63));
  }

  public ByteBuf putIntBE(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteBuf putLongBE(long v) {
    putIntBE((int) (v >>> 32));
    return putIntBE((int) v);
  }

  /** Overwrites 4 bytes at {@code pos} (big-endian). */
  public void setIntBE(int pos, int v) {
    buf[pos] = (byte) (v >>> 24);
    buf[pos + 1] = (byte) (v >>> 16);
    buf[pos + 2] = (byte) (v >>> 8);
    buf[pos + 3] = (byte) v;
  }

  public int length() {
    return len;
  }

  public void reset() {
    len = 0;
  }

  /** The backing array; valid up to {@link #length()}. */
  public byte[] array() {
    return buf;
  }

  public byte[] toArray() {
    return Arrays.copyOf(buf, len);
  }

  public static int uvarintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  public static int varintSize(long v) {
    return uvarintSize((v << 1) ^ (v >> 63));
  }
}
