package syslens.tsdb.head;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.StampedLock;
import syslens.storage.Labels;

/**
 * The head's series by ref and by labels: two open-addressing tables (linear probing) of the series
 * themselves, whose keys are read from the series ({@link MemSeries#ref()}, {@link
 * MemSeries#labels()}). About 10 bytes per series, against ~100 for a pair of ConcurrentHashMaps
 * (a node per entry in each, and a boxed Long per ref); Prometheus's head keeps series the same way
 * (a map by ref and one by labels hash, both of the series).
 *
 * <p>Writes take the write lock (they are made under the head's commit lock anyway). Lookups are
 * optimistic reads validated against the lock's stamp, retried under the read lock when a write
 * came between; a probe is bounded by the table length, so a torn read ends and is then retried.
 */
final class SeriesMap {
  private static final float LOAD = 0.6f;
  private final StampedLock lock = new StampedLock();
  private MemSeries[] byRef;
  private MemSeries[] byLabels;
  private volatile int size;

  SeriesMap(int expected) {
    int cap = 16;
    while (cap * LOAD < expected) {
      cap <<= 1;
    }
    byRef = new MemSeries[cap];
    byLabels = new MemSeries[cap];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The series of {@code ref}, or null. */
  MemSeries get(long ref) {
    long stamp = lock.tryOptimisticRead();
    MemSeries s = findRef(byRef, ref);
    if (lock.validate(stamp)) {
      return s;
    }
    stamp = lock.readLock();
    try {
      return findRef(byRef, ref);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The series with {@code labels}, or null. */
  MemSeries get(Labels labels) {
    long stamp = lock.tryOptimisticRead();
    MemSeries s = findLabels(byLabels, labels);
    if (lock.validate(stamp)) {
      return s;
    }
    stamp = lock.readLock();
    try {
      return findLabels(byLabels, labels);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Adds {@code s} unless its ref or its labels are taken; returns the series holding them (then
   * nothing is added), or null when {@code s} was added.
   */
  MemSeries putIfAbsent(MemSeries s) {
    long stamp = lock.writeLock();
    try {
      MemSeries have = findRef(byRef, s.ref());
      if (have == null) {
        have = findLabels(byLabels, s.labels());
      }
      if (have != null) {
        return have;
      }
      if (size + 1 > byRef.length * LOAD) {
        byRef = rehash(byRef, byRef.length * 2, true);
        byLabels = rehash(byLabels, byLabels.length * 2, false);
      }
      insert(byRef, s, refSlot(s.ref(), byRef.length - 1));
      insert(byLabels, s, labelsSlot(s.labels(), byLabels.length - 1));
      size = size + 1;
      return null;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Removes {@code s} (that very series) if present. */
  boolean remove(MemSeries s) {
    long stamp = lock.writeLock();
    try {
      if (!delete(byRef, s, true)) {
        return false;
      }
      delete(byLabels, s, false);
      size = size - 1;
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** A snapshot of every series. */
  List<MemSeries> values() {
    long stamp = lock.readLock();
    try {
      List<MemSeries> out = new ArrayList<>(size);
      for (MemSeries s : byRef) {
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static int refSlot(long ref, int mask) {
    long h = ref * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private static int labelsSlot(Labels labels, int mask) {
    int h = labels.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }

  private static MemSeries findRef(MemSeries[] table, long ref) {
    int mask = table.length - 1;
    int i = refSlot(ref, mask);
    for (int probes = 0; probes < table.length; probes++) {
      MemSeries s = table[i];
      if (s == null) {
        return null;
      }
      if (s.ref() == ref) {
        return s;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static MemSeries findLabels(MemSeries[] table, Labels labels) {
    int mask = table.length - 1;
    int i = labelsSlot(labels, mask);
    for (int probes = 0; probes < table.length; probes++) {
      MemSeries s = table[i];
      if (s == null) {
        return null;
      }
      if (s.labels().equals(labels)) {
        return s;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static void insert(MemSeries[] table, MemSeries s, int i) {
    int mask = table.length - 1;
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    table[i] = s;
  }

  private static MemSeries[] rehash(MemSeries[] table, int capacity, boolean byRef) {
    MemSeries[] out = new MemSeries[capacity];
    int mask = capacity - 1;
    for (MemSeries s : table) {
      if (s != null) {
        insert(out, s, byRef ? refSlot(s.ref(), mask) : labelsSlot(s.labels(), mask));
      }
    }
    return out;
  }

  /** Linear-probing deletion with backward shift (no tombstones). */
  private static boolean delete(MemSeries[] table, MemSeries s, boolean byRef) {
    int mask = table.length - 1;
    int i = byRef ? refSlot(s.ref(), mask) : labelsSlot(s.labels(), mask);
    while (table[i] != s) {
      if (table[i] == null) {
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = null;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      MemSeries m = table[j];
      if (m == null) {
        return true;
      }
      int home = byRef ? refSlot(m.ref(), mask) : labelsSlot(m.labels(), mask);
      // m may move into the hole at i when its home slot is not cyclically within (i, j].
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        table[i] = m;
        table[j] = null;
        i = j;
      }
    }
  }
}
