package syslens.kafka;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Stages samples and, at {@link #commit()}, publishes them to the bus and waits for Kafka's
 * acknowledgement. The store's own checks (order, series limits) run on the writer, so every
 * sample with labels is {@link AppendStatus#OK} here; the writer counts what the store refuses.
 */
final class KafkaAppender implements Appender {
  /** One commit holds at most this many samples (ingest batches are far smaller). */
  static final int MAX_STAGED = 1_000_000;
  private final Publisher publisher;
  private final String source;
  private Labels[] ls = new Labels[64];
  private long[] ts = new long[64];
  private double[] vs = new double[64];
  private int n;

  KafkaAppender(Publisher publisher, String source) {
    this.publisher = requireNonNull(publisher, "publisher");
    this.source = source;
  }

  @Override
  public AppendStatus append(Labels labels, long timestampMs, double value) {
    if (labels == null || labels.isEmpty()) {
      return AppendStatus.INVALID_LABELS;
    }
    if (n == MAX_STAGED) {
      return AppendStatus.LIMIT_EXCEEDED;
    }
    if (n == ls.length) {
      ls = Arrays.copyOf(ls, n * 2);
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    ls[n] = labels;
    ts[n] = timestampMs;
    vs[n] = value;
    n++;
    return AppendStatus.OK;
  }

  @Override
  public void commit() {
    if (n == 0) {
      return;
    }
    try {
      publisher.publish(source, ls, ts, vs, n);
    } finally {
      rollback();
    }
  }

  @Override
  public void rollback() {
    Arrays.fill(ls, 0, n, null);
    n = 0;
  }
}
