package syslens.alerting.rules;

import java.util.ArrayDeque;
import java.util.Map;
import syslens.storage.Labels;

/**
 * One alert instance of a rule (one label set), with Prometheus' fields. Mutated only by its
 * rule's evaluation (one thread at a time); read by the API through {@link #view()}.
 */
public final class AlertInstance {
  enum State {
    INACTIVE, PENDING, FIRING;

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  final Labels labels;
  /** The series' labels templates see; null for an instance restored and not seen since. */
  Labels series;
  /** Annotations as stored (used until the series is seen again after a restore). */
  Map<String, String> storedAnnotations = Map.of();
  State state;
  double value;
  long activeAt;
  long firedAt;
  long resolvedAt;
  /** Long.MIN_VALUE until first sent. */
  long lastSentAt = Long.MIN_VALUE;
  long keepFiringSince;
  boolean flapping;
  /** Times of recent state changes, oldest first (flapping detection). */
  final ArrayDeque<Long> changes = new ArrayDeque<>();
  /** Changed since last persisted. */
  boolean dirty;
  /** {@code ALERTS{..., alertstate}} for {@link #alertsState}, built once per state. */
  private Labels alertsSeries;
  private State alertsState;
  private Labels forStateSeries;

  AlertInstance(Labels labels, Labels series, double value, long activeAt) {
    this.labels = labels;
    this.series = series;
    this.value = value;
    this.activeAt = activeAt;
    this.state = State.PENDING;
  }

  /** Prometheus's {@code ALERTS} series of this instance in its current state. */
  Labels alertsSeries() {
    if (alertsState != state) {
      alertsSeries = labels.toBuilder().set("__name__", "ALERTS").set("alertstate", state.wire()).build();
      alertsState = state;
    }
    return alertsSeries;
  }

  /** Prometheus's {@code ALERTS_FOR_STATE} series (value: when the instance became active, in seconds). */
  Labels forStateSeries() {
    if (forStateSeries == null) {
      forStateSeries = labels.toBuilder().set("__name__", "ALERTS_FOR_STATE").build();
    }
    return forStateSeries;
  }

  /** An immutable copy for readers on other threads. */
  View view(Map<String, String> annotations) {
    return new View(labels, annotations, state.wire(), value, activeAt, firedAt, resolvedAt,
        lastSentAt, keepFiringSince, flapping);
  }

  /** A snapshot of an instance. */
  public record View(Labels labels, Map<String, String> annotations, String state, double value,
      long activeAt, long firedAt, long resolvedAt, long lastSentAt, long keepFiringSince,
      boolean flapping) {}
}
