package syslens.ingest;

/**
 * Told about what the pipeline stored, after the commit (the live feed, the node registry).
 * Called on the writer's thread: keep it quick, never block.
 */
public interface IngestListener {
  /** A batch was committed; {@code batch} holds each written series' newest sample. */
  default void committed(Source source, Committed batch) {}

  /** A session with an identity ended (an agent disconnected); its series are marked stale. */
  default void ended(Source source, Identity identity) {}

  /** The newest sample of each series a committed batch wrote, with the node it describes. */
  interface Committed {
    int size();

    /** The node of series {@code i} (null when the source has no node identity). */
    String node(int i);

    syslens.storage.Labels labels(int i);

    long timestamp(int i);

    double value(int i);
  }
}
