package syslens.alerting.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.alerting.Alert;
import syslens.storage.Labels;

/** What one rule's evaluation produced: alerts to send, state to persist, history. */
final class RoundOutput {
  final List<Alert> alerts = new ArrayList<>();
  final List<StateStore.InstanceRow> changed = new ArrayList<>();
  final List<StateStore.InstanceRow> removed = new ArrayList<>();
  final List<StateStore.Transition> history = new ArrayList<>();
  /** Instances that started firing in this evaluation, with the evaluation time. */
  final Map<Labels, Long> firedAt = new HashMap<>();
  /** {@code ALERTS} and {@code ALERTS_FOR_STATE} samples (and stale markers) to store. */
  final List<syslens.query.VectorSample> series = new ArrayList<>();

  void addAll(RoundOutput o) {
    alerts.addAll(o.alerts);
    changed.addAll(o.changed);
    removed.addAll(o.removed);
    history.addAll(o.history);
    firedAt.putAll(o.firedAt);
    series.addAll(o.series);
  }
}
