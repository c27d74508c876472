package syslens.alerting;

import java.util.List;

/**
 * The seam between rule evaluation and notification (routing, grouping, silences, receivers),
 * as Prometheus's notifier is to Alertmanager. Implementations must not block the caller on
 * delivery: they queue and return.
 */
@FunctionalInterface
public interface AlertSink {
  /** Hands over firing alerts (re-sent every evaluation) and resolved ones. */
  void send(List<Alert> alerts);
}
