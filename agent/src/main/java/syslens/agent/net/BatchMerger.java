package syslens.agent.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Series;

/**
 * Consecutive buffered batches sent as one message when a backlog is replayed (after a reconnect,
 * or while the server is slower than collection): each series once, with its samples of every
 * merged round in round order, under the seq of the last batch merged. The server then handles,
 * commits, fsyncs and acks one message instead of one per round, and looks each series up once for
 * all its rounds. An ack of the merged seq acknowledges every batch merged into it (acks are
 * cumulative); a resend after a lost ack stores identical samples again, which storage treats as
 * duplicates. Bounded well under the server's per-batch limits (200,000 samples, 1,000 samples a
 * series, 4 MiB a message). Not thread-safe.
 */
final class BatchMerger {
  /** Most samples in one merged message. */
  static final int MAX_SAMPLES = 20_000;
  /** Most batches (rounds) in one merged message, so a series carries at most this many samples. */
  static final int MAX_BATCHES = 60;
  /** Most distinct series in one merged message (the agent's own cap per batch). */
  static final int MAX_SERIES = 2_000;
  /** Most serialized bytes of the batches merged into one message (labels repeat per batch, so the message is smaller). */
  static final int MAX_BYTES = 1024 * 1024;

  private final Map<List<Label>, Series.Builder> byLabels = new LinkedHashMap<>();
  /** Series without labels (already a ref): kept as they are, in order. */
  private final List<Series> asIs = new ArrayList<>();
  private long seq;
  private int batches;
  private int samples;
  private long bytes;

  /** Whether {@code b} fits into this message (the first batch always does). */
  boolean fits(MetricBatch b) {
    if (batches == 0) {
      return true;
    }
    return batches < MAX_BATCHES && samples + samplesOf(b) <= MAX_SAMPLES && bytes + b.getSerializedSize() <= MAX_BYTES
        && byLabels.size() + asIs.size() + newSeries(b) <= MAX_SERIES;
  }

  private int newSeries(MetricBatch b) {
    int n = 0;
    for (Series s : b.getSeriesList()) {
      if (s.getRef() != 0 || s.getLabelsCount() == 0 || !byLabels.containsKey(s.getLabelsList())) {
        n++;
      }
    }
    return n;
  }

  /** Adds the next batch; its seq must be greater than the ones added before. */
  void add(MetricBatch b) {
    if (batches > 0 && b.getSeq() <= seq) {
      throw new IllegalArgumentException("seq " + b.getSeq() + " after " + seq + " (expected: increasing)");
    }
    for (Series s : b.getSeriesList()) {
      if (s.getRef() != 0 || s.getLabelsCount() == 0) {
        asIs.add(s);
        continue;
      }
      Series.Builder m = byLabels.get(s.getLabelsList());
      if (m == null) {
        byLabels.put(s.getLabelsList(), s.toBuilder());
      } else {
        m.addAllSamples(s.getSamplesList());
      }
    }
    seq = b.getSeq();
    batches++;
    samples += samplesOf(b);
    bytes += b.getSerializedSize();
  }

  int batches() {
    return batches;
  }

  /** The merged message, under the last batch's seq. */
  MetricBatch build() {
    if (batches == 0) {
      throw new IllegalStateException("no batch added");
    }
    MetricBatch.Builder out = MetricBatch.newBuilder().setSeq(seq);
    for (Series.Builder s : byLabels.values()) {
      out.addSeries(s);
    }
    out.addAllSeries(asIs);
    return out.build();
  }

  private static int samplesOf(MetricBatch b) {
    int n = 0;
    for (Series s : b.getSeriesList()) {
      n += s.getSamplesCount();
    }
    return n;
  }
}
