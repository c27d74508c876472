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

  @Override
  void close();
}
