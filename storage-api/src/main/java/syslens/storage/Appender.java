package syslens.storage;

/**
 * Collects samples for one commit. Not thread-safe: one appender per writer. Samples become
 * visible to queriers and durable together at {@link #commit()}.
 */
public interface Appender {
  /** Stages one sample; the status tells whether it was accepted. */
  AppendStatus append(Labels labels, long timestampMs, double value);

  /**
   * Makes staged samples durable (written and synced to the write-ahead log) and visible. After
   * it returns, a crash does not lose them.
   */
  void commit();

  /** Drops staged samples. */
  void rollback();
}
