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
   * it returns, a crash does not lose them, including staged samples that were identical to ones
   * already stored (it waits until those are durable too).
   *
   * @throws StorageException when that cannot be promised (disk full, failed fsync, storage
   *     stopped): nothing staged may then be acknowledged; the appender is cleared either way
   */
  void commit();

  /** Drops staged samples. */
  void rollback();
}
