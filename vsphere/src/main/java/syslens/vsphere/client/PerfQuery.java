package syslens.vsphere.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A PerfQuerySpec: the entity, samples after {@code start} (exclusive, null for the newest
 * only), at most {@code maxSample} of them (vCenter and the simulator need it set), at
 * {@code intervalId} seconds (20 = realtime).
 */
public record PerfQuery(Moref entity, Instant start, int maxSample, List<PerfMetricId> metrics, int intervalId) {
  public PerfQuery {
    requireNonNull(entity, "entity");
    requireNonNull(metrics, "metrics");
    if (maxSample < 1) {
      throw new IllegalArgumentException("maxSample: " + maxSample + " (expected: >= 1)");
    }
  }

  void appendXml(StringBuilder b) {
    b.append("<querySpec>").append(entity.toXml("entity"));
    if (start != null) {
      b.append("<startTime>").append(start).append("</startTime>");
    }
    b.append("<maxSample>").append(maxSample).append("</maxSample>");
    metrics.forEach(m -> m.appendXml(b));
    b.append("<intervalId>").append(intervalId).append("</intervalId><format>normal</format></querySpec>");
  }
}
