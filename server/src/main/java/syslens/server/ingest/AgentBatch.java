package syslens.server.ingest;

import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Series;
import syslens.ingest.SeriesInput;

/** An agent's batch as the pipeline reads it; a series' label list is its cache key. */
record AgentBatch(MetricBatch batch) implements SeriesInput {
  @Override
  public int seriesCount() {
    return batch.getSeriesCount();
  }

  @Override
  public Object key(int i) {
    return batch.getSeries(i).getLabelsList();
  }

  @Override
  public int labelCount(int i) {
    return batch.getSeries(i).getLabelsCount();
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
    return batch.getSeries(i).getLabels(label);
  }

  @Override
  public int sampleCount(int i) {
    return batch.getSeries(i).getSamplesCount();
  }

  @Override
  public long timestamp(int i, int sample) {
    return series(i).getSamples(sample).getTimestampMs();
  }

  @Override
  public double value(int i, int sample) {
    return series(i).getSamples(sample).getValue();
  }

  private Series series(int i) {
    return batch.getSeries(i);
  }

  long samples() {
    long n = 0;
    for (Series s : batch.getSeriesList()) {
      n += s.getSamplesCount();
    }
    return n;
  }
}
