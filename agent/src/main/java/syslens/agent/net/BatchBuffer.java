package syslens.agent.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.agent.v1.lite.MetricBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.lite.Series;

/**
 * Batches not yet acknowledged by the server, in seq order, bounded by count and serialized bytes.
 * When full, the oldest batch is dropped (and counted) to make room. Seq numbers start at 1 in a
 * new {@linkplain #epoch() epoch} and never repeat within it. Thread-safe.
 *
 * <p>{@link #create} keeps batches in memory (a new epoch per process); {@link #open} keeps them
 * in segment files under a directory ({@link BufferSegments}), so unacknowledged batches and the
 * seq space survive an agent restart. A batch the disk cannot take (full, I/O error) is held in
 * memory instead, under the same bounds, and a warning is logged.
 *
 * <p>Batches are kept serialized: a parsed {@link MetricBatch} takes several times its wire size
 * on the heap (one object per series, label and sample), so holding parsed messages would make
 * the byte bound a poor guide to memory. Held as {@link ByteString}, heap use is the byte bound
 * plus a small fixed overhead per batch; a batch is parsed again only when it is (re)sent.
 */
public final class BatchBuffer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchBuffer.class);

  /** A held batch: its bytes in memory, or where it lies on disk. */
  private record Held(ByteString data, BufferSegments.Recovered onDisk) {
    int size() {
      return data != null ? data.size() : onDisk.size();
    }
  }

  private final int maxBatches;
  private final long maxBytes;
  private final BufferSegments disk;
  private final long epoch;
  private final TreeMap<Long, Held> batches = new TreeMap<>();
  private long bytes;
  private long nextSeq = 1;
  private long dropped;
  private boolean diskFailureLogged;

  private BatchBuffer(int maxBatches, long maxBytes, BufferSegments disk) {
    if (maxBatches < 1) {
      throw new IllegalArgumentException("maxBatches: " + maxBatches + " (expected: >= 1)");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1)");
    }
    this.maxBatches = maxBatches;
    this.maxBytes = maxBytes;
    this.disk = disk;
    if (disk == null) {
      this.epoch = BufferSegments.newEpoch();
      return;
    }
    this.epoch = disk.epoch();
    nextSeq = disk.acked() + 1;
    for (BufferSegments.Recovered r : disk.recovered()) {
      batches.put(r.seq(), new Held(null, r));
      bytes += r.size();
      nextSeq = Math.max(nextSeq, r.seq() + 1);
    }
    evictWhileFull(0);
  }

  /** A buffer in memory: a restart loses what it holds and starts a new epoch. */
  public static BatchBuffer create(int maxBatches, long maxBytes) {
    return new BatchBuffer(maxBatches, maxBytes, null);
  }

  /**
   * A buffer kept in {@code dir} (created if missing): batches not acknowledged before a restart
   * are found again, in order, and seq numbering continues in the same epoch.
   */
  public static BatchBuffer open(Path dir, int maxBatches, long maxBytes) throws IOException {
    long segment = Math.max(64 << 10, Math.min(8 << 20, maxBytes / 8));
    BatchBuffer b = new BatchBuffer(maxBatches, maxBytes, BufferSegments.open(dir, segment));
    if (!b.batches.isEmpty()) {
      log.info("buffer {}: {} unacknowledged batch(es), {} bytes, seq {}..{} to resend", dir,
          b.batches.size(), b.bytes, b.batches.firstKey(), b.batches.lastKey());
    }
    return b;
  }

  /** The seq space this buffer numbers batches in (sent in Hello as {@code seq_epoch}). */
  public long epoch() {
    return epoch;
  }

  /**
   * The newest batch as built, until the sender first takes it: the usual send (the batch of the
   * round just collected) needs no disk read and no parse. One batch at most.
   */
  private MetricBatch newest;

  /**
   * Wraps {@code series} in a batch with the next seq and keeps it serialized; evicts the oldest
   * while full. Returns the seq given to the batch. The newest batch is always kept, even when it
   * alone is larger than the byte bound.
   */
  public synchronized long append(List<Series> series) {
    // Serialized under the lock so the sender never sees seq n+1 before seq n.
    long seq = nextSeq++;
    MetricBatch batch = MetricBatch.newBuilder().setSeq(seq).addAllSeries(series).build();
    ByteString data = batch.toByteString();
    newest = batch;
    int size = data.size();
    evictWhileFull(size);
    Held held = new Held(data, null);
    if (disk != null) {
      try {
        held = new Held(null, disk.append(seq, data));
        diskFailureLogged = false;
      } catch (IOException e) {
        if (!diskFailureLogged) {
          diskFailureLogged = true;
          log.warn("buffer: cannot write batch {} to disk ({}); holding it in memory (a restart "
              + "before it is acknowledged loses it)", seq, e.toString());
        }
      }
    }
    batches.put(seq, held);
    bytes += size;
    return seq;
  }

  private void evictWhileFull(int incoming) {
    while (!batches.isEmpty()
        && (batches.size() + (incoming > 0 ? 1 : 0) > maxBatches || bytes + incoming > maxBytes)) {
      forget(batches.pollFirstEntry().getValue());
      dropped++;
    }
  }

  private void forget(Held h) {
    bytes -= h.size();
    if (h.onDisk() != null) {
      disk.release(h.onDisk().segment());
    }
  }

  /** Removes every batch with seq <= {@code seq}; returns how many were removed. */
  public synchronized int ack(long seq) {
    int removed = 0;
    while (!batches.isEmpty() && batches.firstKey() <= seq) {
      forget(batches.pollFirstEntry().getValue());
      removed++;
    }
    if (disk != null) {
      disk.acked(Math.min(seq, nextSeq - 1));
    }
    return removed;
  }

  /** Removes the batches with seq in {@code from..to} (a rejected merged message); returns how many were removed. */
  public synchronized int remove(long from, long to) {
    int removed = 0;
    for (long seq : new ArrayList<>(batches.subMap(from, true, to, true).keySet())) {
      removed += remove(seq) ? 1 : 0;
    }
    return removed;
  }

  /** Removes one batch (e.g. rejected by the server); false when it was not buffered. */
  public synchronized boolean remove(long seq) {
    Held h = batches.remove(seq);
    if (h == null) {
      return false;
    }
    forget(h);
    return true;
  }

  /**
   * The buffered batch with the smallest seq greater than {@code seq} (the newest as it was built,
   * the first time it is asked for; else parsed afresh; immutable either way; the caller should
   * drop it once sent), or null.
   */
  public MetricBatch firstAfter(long seq) {
    ByteString data = null;
    synchronized (this) {
      while (data == null) {
        Map.Entry<Long, Held> e = batches.higherEntry(seq);
        if (e == null) {
          return null;
        }
        MetricBatch built = newest;
        if (built != null && built.getSeq() == e.getKey()) {
          newest = null; // sent once as built; a resend reads it back
          return built;
        }
        data = e.getValue().data();
        if (data == null) {
          try {
            data = disk.read(e.getValue().onDisk());
          } catch (IOException ex) {
            // Damage stays local: this batch is lost (counted), the ones after it are not.
            log.warn("buffer: batch {} cannot be read back ({}); dropped", e.getKey(), ex.toString());
            forget(batches.remove(e.getKey()));
            dropped++;
          }
        }
      }
    }
    try {
      return MetricBatch.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      // We wrote these bytes ourselves from a built message: this cannot happen short of a bug.
      throw new IllegalStateException("buffered batch after seq " + seq + ": " + data.size()
          + " bytes that do not parse as a MetricBatch (expected: what append serialized)", e);
    }
  }

  public synchronized int size() {
    return batches.size();
  }

  /** Serialized bytes held; the buffer's heap use is this plus a small overhead per batch. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Batches dropped because the buffer was full. */
  public synchronized long droppedBatches() {
    return dropped;
  }

  /** The highest seq handed out so far (0 before the first batch). */
  public synchronized long lastSeq() {
    return nextSeq - 1;
  }

  /** Closes the segment files (a disk buffer keeps what it holds for the next open). */
  @Override
  public synchronized void close() {
    if (disk != null) {
      disk.close();
    }
  }
}
