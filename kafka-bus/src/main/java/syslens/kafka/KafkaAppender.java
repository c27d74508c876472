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
  private Labels last;

  KafkaAppender(Publisher publisher, String source) {
    this.publisher = requireNonNull(publisher, "publisher");
    this.source = source;
  }

  @Override
  public AppendStatus append(Labels labels, long timestampMs, double value) {
    if (labels != last) {
      if (!fits(labels)) {
        return AppendStatus.INVALID_LABELS;
      }
      last = labels;
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

  /** Labels a writer can decode (RecordCodec's bounds; ingest's own limits are far lower). */
  private static boolean fits(Labels labels) {
    if (labels == null || labels.isEmpty() || labels.size() > RecordCodec.MAX_LABELS) {
      return false;
    }
    for (int i = 0; i < labels.size(); i++) {
      if ((long) labels.name(i).length() * 3 > RecordCodec.MAX_STRING_BYTES
          || (long) labels.value(i).length() * 3 > RecordCodec.MAX_STRING_BYTES) {
        return false; // UTF-8 takes at most 3 bytes per char
      }
    }
    return true;
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
    last = null;
  }
}
