package syslens.tsdb.block;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounds-checked reads of varints and fixed-width integers from a region of a mapped file; a read
 * past the region throws {@link CorruptBlockException} naming the file.
 */
final class Decbuf {
  private final ByteBuffer b;
  private final Path file;
  private int pos;
  private final int end;

  Decbuf(ByteBuffer b, Path file, int pos, int end) {
    this.b = b;
    this.file = file;
    this.pos = pos;
    this.end = end;
  }

  int position() {
    return pos;
  }

  int get() {
    if (pos >= end) {
      throw new CorruptBlockException(file, "read past the end of a section at offset " + pos);
    }
    return b.get(pos++) & 0xff;
  }

  long uvarint() {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int x = get();
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new CorruptBlockException(file, "uvarint longer than 10 bytes at offset " + pos);
  }

  /** A uvarint that must fit [0, max]. */
  int uvarintInt(long max, String what) {
    long v = uvarint();
    if (v < 0 || v > max) {
      throw new CorruptBlockException(file, what + " " + v + " at offset " + pos + " (expected: 0.." + max + ")");
    }
    return (int) v;
  }

  long varint() {
    long u = uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  String string() {
    int len = uvarintInt(end - pos, "string length");
    byte[] bytes = new byte[len];
    b.get(pos, bytes);
    pos += len;
    return new String(bytes, StandardCharsets.UTF_8);
  }

  byte[] bytes(int len) {
    if (len < 0 || len > end - pos) {
      throw new CorruptBlockException(file, "length " + len + " at offset " + pos + " (expected: <= " + (end - pos) + ")");
    }
    byte[] out = new byte[len];
    b.get(pos, out);
    pos += len;
    return out;
  }

  int u32() {
    if (end - pos < 4) {
      throw new CorruptBlockException(file, "read past the end at offset " + pos);
    }
    int v = b.getInt(pos);
    pos += 4;
    return v;
  }
}
