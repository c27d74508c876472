package syslens.tsdb.head;

import java.util.Arrays;

/**
 * A map from series (by identity) to an int, for per-commit bookkeeping: open addressing, no
 * boxing, reusable after {@link #clear()} (which costs the entries used, not the capacity).
 */
final class SeriesIndex {
  static final int ABSENT = -1;
  private MemSeries[] keys = new MemSeries[64];
  private int[] values = new int[64];
  /** Slots in use, in insertion order (for clear and iteration). */
  private int[] used = new int[32];
  private int size;

  int size() {
    return size;
  }

  /** Slots of the table (twice the entries it holds before it grows). */
  int capacity() {
    return keys.length;
  }

  /**
   * A registered series' ref, spread: read from the series itself, which the caller has just
   * read (its labels and their hash would be two more dependent loads, a cache miss each at
   * millions of series). A staged series (ref 0 until it is registered, and never changed while
   * it is a key) hashes its labels' cached hash instead. System.identityHashCode would call into
   * the VM for series whose monitor is inflated.
   */
  private static int hash(MemSeries s) {
    long ref = s.ref();
    int h = (ref != 0 ? (int) (ref ^ (ref >>> 32)) : s.labels().hashCode()) * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private int slot(MemSeries s) {
    int mask = keys.length - 1;
    int i = hash(s) & mask;
    while (keys[i] != null && keys[i] != s) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The value of {@code s}, or {@link #ABSENT}. */
  int get(MemSeries s) {
    int i = slot(s);
    return keys[i] == null ? ABSENT : values[i];
  }

  void put(MemSeries s, int value) {
    int i = slot(s);
    if (keys[i] == null) {
      if ((size + 1) * 2 > keys.length) {
        grow();
        i = slot(s);
      }
      keys[i] = s;
      if (size == used.length) {
        used = Arrays.copyOf(used, size * 2);
      }
      used[size++] = i;
    }
    values[i] = value;
  }

  /** Removes {@code s} (rare: an out-of-order sample staged after the newest). */
  void remove(MemSeries s) {
    int i = slot(s);
    if (keys[i] == null) {
      return;
    }
    // Rebuild without it: keeps probing simple; removals are rare.
    MemSeries[] k = new MemSeries[size - 1];
    int[] v = new int[size - 1];
    int n = 0;
    for (int u = 0; u < size; u++) {
      if (keys[used[u]] != s) {
        k[n] = keys[used[u]];
        v[n++] = values[used[u]];
      }
    }
    clear();
    for (int u = 0; u < n; u++) {
      put(k[u], v[u]);
    }
  }

  /** The key inserted {@code i}-th (0 <= i < size). */
  MemSeries keyAt(int i) {
    return keys[used[i]];
  }

  /** The value of the key inserted {@code i}-th. */
  int valueAt(int i) {
    return values[used[i]];
  }

  void clear() {
    for (int u = 0; u < size; u++) {
      keys[used[u]] = null;
    }
    size = 0;
  }

  private void grow() {
    MemSeries[] oldKeys = keys;
    int[] oldValues = values;
    int[] oldUsed = used;
    int n = size;
    keys = new MemSeries[oldKeys.length * 2];
    values = new int[keys.length];
    used = new int[Math.max(32, keys.length / 2)];
    size = 0;
    for (int u = 0; u < n; u++) {
      put(oldKeys[oldUsed[u]], oldValues[oldUsed[u]]);
    }
  }
}
