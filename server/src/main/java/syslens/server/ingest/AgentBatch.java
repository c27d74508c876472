package syslens.server.ingest;

import java.util.List;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.ingest.SeriesInput;

/**
 * An agent's batch as the pipeline reads it; a series' label list is its cache key. Timestamps
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

  @Override
  public Object key(int i) {
    return series[i].getLabelsList();
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
