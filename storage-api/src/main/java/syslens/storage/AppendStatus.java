package syslens.storage;

/**
 * The outcome of appending one sample. Rejections are expected in normal operation and are
 * returned and counted, never thrown.
 */
public enum AppendStatus {
  OK,
  /** Older than the series' newest sample. */
  OUT_OF_ORDER,
  /** Same timestamp as the newest sample but a different value. */
  DUPLICATE_TIMESTAMP,
  /** Older than what storage still accepts (e.g. before the head's window). */
  OUT_OF_BOUNDS,
  /** Labels break the rules (empty metric name, bad label name, duplicates, limits). */
  INVALID_LABELS,
  /** A limit (series count, memory) refused the sample. */
  LIMIT_EXCEEDED
}
