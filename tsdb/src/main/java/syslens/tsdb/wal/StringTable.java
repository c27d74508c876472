package syslens.tsdb.wal;

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

  /** The interned string of {@code b[off, off + len)} (UTF-8). */
  String get(byte[] b, int off, int len) {
    int mask = keys.length - 1;
    int i = hash(b, off, len) & mask;
    for (byte[] k; (k = keys[i]) != null; i = (i + 1) & mask) {
      if (k.length == len && Arrays.equals(k, 0, len, b, off, off + len)) {
        return values[i];
      }
    }
    String s = new String(b, off, len, StandardCharsets.UTF_8).intern();
    if (size < MAX_ENTRIES) {
      keys[i] = Arrays.copyOfRange(b, off, off + len);
      values[i] = s;
      if (++size * 2 > keys.length) {
        grow();
      }
    }
    return s;
  }

  private static int hash(byte[] b, int off, int len) {
    int h = 1;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + b[i];
    }
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
        int i = hash(k, 0, k.length) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = oldValues[j];
      }
    }
  }
}
