package syslens.alerting;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import syslens.storage.Labels;

/**
 * One alert instance as rules hand it to notification, shaped like the alerts Prometheus posts to
 * Alertmanager: an alert whose {@code endsAt} is in the future is firing, one whose {@code endsAt}
 * has passed is resolved. Rules re-send every firing alert on each evaluation with {@code endsAt}
 * pushed forward (as Prometheus does), so a lost resolution still ends on its own.
 *
 * @param labels identity of the alert: the rule's labels plus the series labels, including
 *     {@code alertname} and the level under {@code severity}
 * @param annotations rendered templates (summary, description, runbook ...)
 * @param startsAt when the alert started firing
 * @param endsAt when it resolved, or until when it is considered firing without a re-send
 * @param generatorUrl link back to the rule and its chart in the dashboard
 * @param value the sample value that made it fire (NaN when not applicable)
 */
public record Alert(
    Labels labels,
    Map<String, String> annotations,
    Instant startsAt,
    Instant endsAt,
    String generatorUrl,
    double value) {
  public Alert {
    requireNonNull(labels, "labels");
    annotations = Map.copyOf(requireNonNull(annotations, "annotations"));
    requireNonNull(startsAt, "startsAt");
    requireNonNull(endsAt, "endsAt");
    generatorUrl = generatorUrl == null ? "" : generatorUrl;
  }

  /** The alert's name ({@code alertname} label). */
  public String name() {
    String n = labels.get("alertname");
    return n == null ? "" : n;
  }

  /** True when {@code now} is before {@link #endsAt()}. */
  public boolean firingAt(Instant now) {
    return now.isBefore(endsAt);
  }
}
