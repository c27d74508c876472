package syslens.report;

import java.util.List;
import syslens.storage.Labels;

/**
 * The alert state changes a report summarizes; the server implements it over the alerting
 * module's history (this module does not depend on alerting).
 */
@FunctionalInterface
public interface AlertHistory {
  AlertHistory NONE = (start, end, limit) -> List.of();

  /** State changes in [startMs, endMs], oldest first, at most {@code limit}. */
  List<Change> changes(long startMs, long endMs, int limit);

  /**
   * Acknowledgements in [startMs, endMs], oldest first, at most {@code limit}: when, and the
   * acknowledged alert as {@link #fingerprint} names it. None by default.
   */
  default List<Ack> acks(long startMs, long endMs, int limit) {
    return List.of();
  }

  /** How acknowledgements name an alert with {@code labels} (the alerting module's fingerprint). */
  default String fingerprint(Labels labels) {
    return labels.toString();
  }

  /** One acknowledgement: when, and the alert's fingerprint. */
  record Ack(long atMs, String fingerprint) {}

  /** One change: when, the rule, its level (severity), from and to state (inactive, pending, firing), the alert's labels. */
  record Change(long atMs, String rule, String level, String from, String to, Labels labels) {}
}
