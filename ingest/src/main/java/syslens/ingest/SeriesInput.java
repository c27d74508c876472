package syslens.ingest;

import syslens.storage.AppendStatus;

/**
 * One batch as a source hands it to the pipeline, read in place (no copy): series with the
 * sender's labels and their samples in time order. Labels are read only the first time a session
 * meets a series' {@link #key}; after that the pipeline reuses what it resolved.
 */
public interface SeriesInput {
  int seriesCount();

  /**
   * A value that is equal for equal label lists (and identities) within one session, e.g. the
   * protobuf label list of an agent series; null when the series should not be cached.
   */
  Object key(int series);

  int labelCount(int series);

  /**
   * A number the source gives series i for the rest of the session (1..{@link
   * IngestSession#MAX_REFS}; 0: none). A series with labels and a ref defines the ref (see {@link
   * IngestSession#define}); one with the ref and no labels is the series defined under it.
   */
  default int ref(int series) {
    return 0;
  }

  String labelName(int series, int label);

  String labelValue(int series, int label);

  /**
   * The node this series describes when the source reports for many nodes (one vCenter
   * collector, thousands of VMs); null for the session's own identity (if any).
   */
  default Identity identity(int series) {
    return null;
  }

  int sampleCount(int series);

  long timestamp(int series, int sample);

  double value(int series, int sample);

  /** Receives each sample's outcome, for sources that report per sample; ignored by default. */
  default void outcome(int series, int sample, AppendStatus status) {}
}
