package syslens.agent;

import java.util.ArrayList;
import java.util.List;
import syslens.agent.collect.Metric;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.Sample;
import syslens.agent.v1.lite.Series;

/** Turns one round of readings into protobuf series, split into batches of bounded size. */
final class Rounds {

  private Rounds() {}

  /** One series per reading, all with the round's timestamp, chunked by {@code maxSeries}. */
  static List<List<Series>> toBatches(List<Metric> metrics, long timestampMs, int maxSeries) {
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries: " + maxSeries + " (expected: >= 1)");
    }
    List<List<Series>> batches = new ArrayList<>(metrics.size() / maxSeries + 1);
    List<Series> current = new ArrayList<>(Math.min(maxSeries, metrics.size()));
    for (Metric m : metrics) {
      Series.Builder s = Series.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue(m.name()));
      List<String> labels = m.labels();
      for (int i = 0; i < labels.size(); i += 2) {
        s.addLabels(Label.newBuilder().setName(labels.get(i)).setValue(labels.get(i + 1)));
      }
      s.addSamples(Sample.newBuilder().setTimestampMs(timestampMs).setValue(m.value()));
      current.add(s.build());
      if (current.size() == maxSeries) {
        batches.add(current);
        current = new ArrayList<>(maxSeries);
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
