package syslens.server.ingest;

import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Series;
import syslens.storage.LabelRules;

/** Structural limits on a batch; what passes here can still be refused sample by sample. */
final class BatchValidator {
  static final int MAX_SERIES = 10_000;
  static final int MAX_SAMPLES_PER_SERIES = 1_000;
  static final int MAX_SAMPLES = 200_000;

  private BatchValidator() {}

  /** Null when acceptable, else a message naming what is wrong and what was expected. */
  static String check(MetricBatch b) {
    if (b.getSeq() == 0) {
      return "seq: 0 (expected: >= 1)";
    }
    if (b.getSeriesCount() > MAX_SERIES) {
      return "series: " + b.getSeriesCount() + " (expected: <= " + MAX_SERIES + " per batch)";
    }
    long samples = 0;
    for (int i = 0; i < b.getSeriesCount(); i++) {
      Series s = b.getSeries(i);
      if (s.getLabelsCount() == 0) {
        return "series " + i + ": no labels (expected: at least __name__)";
      }
      if (s.getLabelsCount() > LabelRules.MAX_LABELS) {
        return "series " + i + ": " + s.getLabelsCount() + " labels (expected: <= " + LabelRules.MAX_LABELS + ")";
      }
      if (s.getSamplesCount() > MAX_SAMPLES_PER_SERIES) {
        return "series " + i + ": " + s.getSamplesCount() + " samples (expected: <= "
            + MAX_SAMPLES_PER_SERIES + ")";
      }
      samples += s.getSamplesCount();
    }
    if (samples > MAX_SAMPLES) {
      return "samples: " + samples + " (expected: <= " + MAX_SAMPLES + " per batch)";
    }
    return null;
  }
}
