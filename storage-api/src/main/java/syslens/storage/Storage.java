package syslens.storage;

/** A queryable store that also takes writes. */
public interface Storage extends Queryable, AutoCloseable {
  Appender appender();

  /**
   * An appender whose new series count against {@code source}'s own series limit (e.g. one
   * agent's node id), so one misbehaving source cannot exhaust the limit for every other.
   */
  default Appender appender(String source) {
    return appender();
  }

  /**
   * The instance of {@code labels} that this store keeps for its series of those labels, or
   * {@code labels} itself when it has none (or keeps none). A writer that holds labels for as long
   * as it writes the series (an ingest session) keeps this one instead of a second copy, e.g.
   * after a restart, when storage rebuilt its series from disk; appending with it is cheapest too.
   */
  default Labels stored(Labels labels) {
    return labels;
  }

  @Override
  void close();
}
