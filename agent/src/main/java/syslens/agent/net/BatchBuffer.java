package syslens.agent.net;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Series;

/**
 * Batches not yet acknowledged by the server, in seq order, bounded by count and serialized bytes.
 * When full, the oldest batch is dropped (and counted) to make room. Seq numbers start at 1 per
 * buffer (per process) and never repeat. Thread-safe.
 */
public final class BatchBuffer {

  private final int maxBatches;
  private final long maxBytes;
  private final TreeMap<Long, MetricBatch> batches = new TreeMap<>();
  private long bytes;
  private long nextSeq = 1;
  private long dropped;

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

  public static BatchBuffer create(int maxBatches, long maxBytes) {
    return new BatchBuffer(maxBatches, maxBytes);
  }

  /** Wraps {@code series} in a batch with the next seq and keeps it; evicts the oldest if full. */
  public synchronized MetricBatch append(List<Series> series) {
    MetricBatch batch = MetricBatch.newBuilder().setSeq(nextSeq++).addAllSeries(series).build();
    int size = batch.getSerializedSize();
    while (!batches.isEmpty() && (batches.size() >= maxBatches || bytes + size > maxBytes)) {
      Map.Entry<Long, MetricBatch> oldest = batches.pollFirstEntry();
      bytes -= oldest.getValue().getSerializedSize();
      dropped++;
    }
    batches.put(batch.getSeq(), batch);
    bytes += size;
    return batch;
  }

  /** Removes every batch with seq <= {@code seq}; returns how many were removed. */
  public synchronized int ack(long seq) {
    int removed = 0;
    while (!batches.isEmpty() && batches.firstKey() <= seq) {
      bytes -= batches.pollFirstEntry().getValue().getSerializedSize();
      removed++;
    }
    return removed;
  }

  /** Removes one batch (e.g. rejected by the server); false when it was not buffered. */
  public synchronized boolean remove(long seq) {
    MetricBatch b = batches.remove(seq);
    if (b == null) {
      return false;
    }
    bytes -= b.getSerializedSize();
    return true;
  }

  /** The buffered batch with the smallest seq greater than {@code seq}, or null. */
  public synchronized MetricBatch firstAfter(long seq) {
    Map.Entry<Long, MetricBatch> e = batches.higherEntry(seq);
    return e == null ? null : e.getValue();
  }

  public synchronized int size() {
    return batches.size();
  }

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
