package syslens.tsdb.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The label strings of one replay, keyed by their UTF-8 bytes: a string seen before is returned
 * without decoding or interning it again (a WAL of 2 M series repeats a few thousand distinct
 * names and values ~40 M times). Strings are interned when first seen, as the head keeps them.
 * Holds at most {@link #MAX_ENTRIES}; past that, new strings are decoded and interned each time.
 */
final class StringTable {
  static final int MAX_ENTRIES = 1 << 20;
  private byte[][] keys = new byte[1024][];
  private String[] values = new String[1024];
  private int size;

  /** The interned string of the UTF-8 bytes {@code [off, off + len)} of {@code b} (absolute). */
  String get(ByteBuffer b, int off, int len) {
    int mask = keys.length - 1;
    int h = 1; // Arrays.hashCode of the bytes, as for the keys when the table grows
    for (int i = off; i < off + len; i++) {
      h = 31 * h + b.get(i);
    }
    int i = spread(h) & mask;
    for (byte[] k; (k = keys[i]) != null; i = (i + 1) & mask) {
      if (k.length == len && equal(k, b, off)) {
        return values[i];
      }
    }
    byte[] bytes = new byte[len];
    b.get(off, bytes);
    String s = new String(bytes, StandardCharsets.UTF_8).intern();
    if (size < MAX_ENTRIES) {
      keys[i] = bytes;
      values[i] = s;
      if (++size * 2 > keys.length) {
        grow();
      }
    }
    return s;
  }

  private static boolean equal(byte[] k, ByteBuffer b, int off) {
    for (int j = 0; j < k.length; j++) {
      if (k[j] != b.get(off + j)) {
        return false;
      }
    }
    return true;
  }

  private static int spread(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private void grow() {
    byte[][] oldKeys = keys;
    String[] oldValues = values;
    keys = new byte[oldKeys.length * 2][];
    values = new String[keys.length];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      byte[] k = oldKeys[j];
      if (k != null) {
        int i = spread(Arrays.hashCode(k)) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = oldValues[j];
      }
    }
  }
}
