package syslens.agent.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Series;

/**
 * Batches not yet acknowledged by the server, in seq order, bounded by count and serialized bytes.
 * When full, the oldest batch is dropped (and counted) to make room. Seq numbers start at 1 per
 * buffer (per process) and never repeat; the buffer's random {@link #epoch} names that numbering
 * for the server's duplicate detection (a buffer kept across restarts keeps its epoch). Thread-safe.
 *
 * <p>Batches are kept serialized: a parsed {@link MetricBatch} takes several times its wire size
 * on the heap (one object per series, label and sample), so holding parsed messages would make
 * the byte bound a poor guide to memory. Held as {@link ByteString}, heap use is the byte bound
 * plus a small fixed overhead per batch; a batch is parsed again only when it is (re)sent.
 */
public final class BatchBuffer {

  private final int maxBatches;
  private final long maxBytes;
  private final TreeMap<Long, ByteString> batches = new TreeMap<>();
  private long bytes;
  private long nextSeq = 1;
  private long dropped;
  private final long epoch = newEpoch();

  private BatchBuffer(int maxBatches, long maxBytes) {
    if (maxBatches < 1) {
      throw new IllegalArgumentException("maxBatches: " + maxBatches + " (expected: >= 1)");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1)");
    }
    this.maxBatches = maxBatches;
    this.maxBytes = maxBytes;
  }

  private static long newEpoch() {
    long e;
    do {
      e = new java.security.SecureRandom().nextLong();
    } while (e == 0);
    return e;
  }

  /** Non-zero and random: names this buffer's seq numbering (Hello.seq_epoch). */
  public long epoch() {
    return epoch;
  }

  public static BatchBuffer create(int maxBatches, long maxBytes) {
    return new BatchBuffer(maxBatches, maxBytes);
  }

  /**
   * Wraps {@code series} in a batch with the next seq and keeps it serialized; evicts the oldest
   * while full. Returns the seq given to the batch. The newest batch is always kept, even when it
   * alone is larger than the byte bound.
   */
  public synchronized long append(List<Series> series) {
    // Serialized under the lock so the sender never sees seq n+1 before seq n.
    long seq = nextSeq++;
    ByteString data = MetricBatch.newBuilder().setSeq(seq).addAllSeries(series).build()
        .toByteString();
    int size = data.size();
    while (!batches.isEmpty() && (batches.size() >= maxBatches || bytes + size > maxBytes)) {
      bytes -= batches.pollFirstEntry().getValue().size();
      dropped++;
    }
    batches.put(seq, data);
    bytes += size;
    return seq;
  }

  /** Removes every batch with seq <= {@code seq}; returns how many were removed. */
  public synchronized int ack(long seq) {
    int removed = 0;
    while (!batches.isEmpty() && batches.firstKey() <= seq) {
      bytes -= batches.pollFirstEntry().getValue().size();
      removed++;
    }
    return removed;
  }

  /** Removes one batch (e.g. rejected by the server); false when it was not buffered. */
  public synchronized boolean remove(long seq) {
    ByteString b = batches.remove(seq);
    if (b == null) {
      return false;
    }
    bytes -= b.size();
    return true;
  }

  /**
   * The buffered batch with the smallest seq greater than {@code seq}, parsed afresh (the caller
   * owns it and should drop it once sent), or null.
   */
  public MetricBatch firstAfter(long seq) {
    ByteString data;
    synchronized (this) {
      Map.Entry<Long, ByteString> e = batches.higherEntry(seq);
      if (e == null) {
        return null;
      }
      data = e.getValue();
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
}
