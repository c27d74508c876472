package syslens.tsdb.chunkenc;

/**
 * Reads what {@link ByteBuf} wrote, bounds-checked: running past the end throws
 * {@link CorruptChunkException} rather than returning garbage.
 */
public final class ByteReader {
  private final byte[] b;
  private int pos;
  private final int end;

  public ByteReader(byte[] b, int off, int end) {
    this.b = b;
    this.pos = off;
    this.end = end;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  public int get() {
    if (pos >= end) {
      throw new CorruptChunkException("read past the end at offset " + pos + " (expected: < " + end + ")");
    }
    return b[pos++] & 0xff;
  }

  public long getUvarint() {
    int p = pos;
    if (end - p >= 10) {
      // Away from the end no byte needs a bounds check of its own; most varints are one byte.
      int x = b[p++];
      if (x >= 0) {
        pos = p;
        return x;
      }
      long v = x & 0x7f;
      for (int shift = 7; shift < 70; shift += 7) {
        x = b[p++];
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          pos = p;
          return v;
        }
      }
      throw new CorruptChunkException("uvarint longer than 10 bytes at offset " + p);
    }
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int x = get();
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new CorruptChunkException("uvarint longer than 10 bytes at offset " + pos);
  }

  public long getVarint() {
    long u = getUvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Skips {@code n} bytes. */
  public void skip(int n) {
    if (n < 0 || n > end - pos) {
      throw new CorruptChunkException("skip of " + n + " bytes at offset " + pos + " (expected: <= " + (end - pos) + ")");
    }
    pos += n;
  }

  /**
   * Skips {@code count} varints (each ends at a byte below 0x80) without decoding them: the cost
   * of a scan for terminating bytes.
   */
  public void skipVarints(int count) {
    int p = pos;
    for (int left = count; left > 0; left--) {
      int len = 0;
      while (true) {
        if (p >= end) {
          throw new CorruptChunkException("read past the end at offset " + p + " (expected: < " + end + ")");
        }
        len++;
        if (b[p++] >= 0) {
          break;
        }
        if (len == 10) {
          throw new CorruptChunkException("varint longer than 10 bytes at offset " + p);
        }
      }
    }
    pos = p;
  }

  public int getIntBE() {
    return (get() << 24) | (get() << 16) | (get() << 8) | get();
  }

  public long getLongBE() {
    return ((long) getIntBE() << 32) | (getIntBE() & 0xffffffffL);
  }
}
