package syslens.server.ingest;

import java.util.List;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.ingest.SeriesInput;

/**
 * An agent's batch as the pipeline reads it; a series' cache key is its label list written into
 * one string (see {@link #key}). Timestamps
 * and values are copied once into flat arrays: the pipeline reads each sample several times, and
 * every protobuf accessor goes through two unmodifiable lists.
 */
final class AgentBatch implements SeriesInput {
  private final Series[] series;
  /** Index of series i's first sample in ts/vs; series i has start[i + 1] - start[i]. */
  private final int[] start;
  private final long[] ts;
  private final double[] vs;

  AgentBatch(MetricBatch batch) {
    List<Series> list = batch.getSeriesList();
    series = list.toArray(new Series[0]);
    start = new int[series.length + 1];
    long total = 0;
    for (int i = 0; i < series.length; i++) {
      total += series[i].getSamplesCount();
    }
    // A parsed message is bounded by the stream's message size limit, so total fits an int.
    ts = new long[Math.toIntExact(total)];
    vs = new double[ts.length];
    int n = 0;
    for (int i = 0; i < series.length; i++) {
      start[i] = n;
      for (Sample s : series[i].getSamplesList()) {
        ts[n] = s.getTimestampMs();
        vs[n++] = s.getValue();
      }
    }
    start[series.length] = n;
  }

  @Override
  public int seriesCount() {
    return series.length;
  }

  /**
   * The series' labels as one string, each name and value prefixed by its length (unambiguous
   * whatever the characters). The session keeps one key per series for the stream's life, so it is
   * one compact string rather than the parsed protobuf list (list, Label objects and their strings:
   * ~0.5 KB a series, 1M series at 5,000 agents); agents send the same label lists, so G1's string
   * deduplication shares the keys' bytes across nodes.
   */
  @Override
  public Object key(int i) {
    Series s = series[i];
    int n = s.getLabelsCount();
    StringBuilder b = new StringBuilder(16 * n + 8);
    for (int l = 0; l < n; l++) {
      Label label = s.getLabels(l);
      String name = label.getName();
      String value = label.getValue();
      b.append(name.length()).append(':').append(name).append(value.length()).append(':').append(value);
    }
    return b.toString();
  }

  @Override
  public int ref(int i) {
    return series[i].getRef();
  }

  @Override
  public int labelCount(int i) {
    return series[i].getLabelsCount();
  }

  @Override
  public String labelName(int i, int label) {
    return label(i, label).getName();
  }

  @Override
  public String labelValue(int i, int label) {
    return label(i, label).getValue();
  }

  private Label label(int i, int label) {
    return series[i].getLabels(label);
  }

  @Override
  public int sampleCount(int i) {
    return start[i + 1] - start[i];
  }

  @Override
  public long timestamp(int i, int sample) {
    return ts[start[i] + sample];
  }

  @Override
  public double value(int i, int sample) {
    return vs[start[i] + sample];
  }

  long samples() {
    return ts.length;
  }
}
