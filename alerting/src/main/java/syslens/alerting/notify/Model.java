package syslens.alerting.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.alerting.Alert;
import syslens.storage.Labels;

/** The notification module's small value types. */
final class Model {
  private Model() {}

  /** Alertmanager's fingerprint: FNV-1a 64 over sorted label names and values, 0xff separated; 16 hex digits. */
  static String fingerprint(Labels labels) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < labels.size(); i++) {
      h = fnv(h, labels.name(i));
      h = (h ^ 0xff) * 0x100000001b3L;
      h = fnv(h, labels.value(i));
      h = (h ^ 0xff) * 0x100000001b3L;
    }
    return String.format("%016x", h);
  }

  private static long fnv(long h, String s) {
    for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** A silence as Alertmanager has them; state follows from the times. */
  record Silence(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
      String comment, Instant updatedAt) {
    String state(Instant now) {
      return now.isBefore(startsAt) ? "pending" : now.isBefore(endsAt) ? "active" : "expired";
    }

    boolean mutes(Labels labels, Instant now) {
      return state(now).equals("active") && Matcher.all(matchers, labels);
    }
  }

  /** Someone took an alert: escalation stops for it until it resolves. */
  record Ack(String fingerprint, String by, String comment, Instant at) {}

  /** What a (group, receiver, integration) was last told, Alertmanager's nflog entry. */
  record LogEntry(String key, String groupKey, String receiver, Set<String> firing, Set<String> resolved,
      Instant sentAt, Instant expiresAt) {}

  /** One delivery attempt. */
  record Delivery(long id, long notificationId, String receiver, String integration, String groupKey, int alerts,
      int attempt, String status, String error, Instant at, long durationMs) {}

  /** An alert in a notification with its status at flush time. */
  record Entry(String fingerprint, Alert alert, boolean firing) {}

  /**
   * A notification decided by the dispatcher: for one receiver integration, a group's alerts;
   * {@code id} is its row in the persisted queue.
   */
  record Notification(long id, String logKey, String receiver, int integration, String groupKey,
      Map<String, String> groupLabels, List<Entry> alerts, long repeatMs, boolean escalation) {
    boolean firing() {
      return alerts.stream().anyMatch(Entry::firing);
    }

    Notification withId(long newId) {
      return new Notification(newId, logKey, receiver, integration, groupKey, groupLabels, alerts, repeatMs, escalation);
    }
  }
}
