package syslens.vsphere;

import java.util.List;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;

/**
 * Where collected samples go; the composition root implements it (the storage appender with a
 * commit, later the shared ingest pipeline). Called concurrently from several collector threads.
 */
public interface SampleSink {
  /**
   * One sample with the identity of the node it describes: a VM's series carry that VM's node id,
   * an ESXi host's its own; {@code nodeId} is null for the collector's own series (cycle
   * durations, errors), which belong to the server. {@code instance} is the node's name for its
   * {@code instance} label; null: the {@code vm} or {@code esxhost} label.
   */
  record Sample(String nodeId, String instance, Labels labels, long timestampMs, double value) {
    public Sample(String nodeId, Labels labels, long timestampMs, double value) {
      this(nodeId, null, labels, timestampMs, value);
    }
  }

  /**
   * Appends and durably commits the batch; returns one outcome per sample, in order. Expected
   * rejections (out of order, duplicate) are outcomes, not exceptions; an exception means
   * nothing of the batch was stored.
   */
  AppendStatus[] write(List<Sample> batch);

  /**
   * As {@link #write(List)}, for a writer that sends the same series in the same order cycle
   * after cycle under one {@code stream} key (e.g. one QueryPerf batch of one collector): the sink
   * may keep what it resolved per stream (labels built and validated once, not once per cycle).
   * Batches of one stream never run concurrently.
   */
  default AppendStatus[] write(Object stream, List<Sample> batch) {
    return write(batch);
  }
}
