package syslens.alerting.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.LogEntry;
import syslens.alerting.notify.Model.Notification;

/**
 * Alertmanager's notification log: what each (group, receiver, integration) was last told and
 * when, kept in memory and in the database; written only once a receiver confirmed delivery, so
 * a restart re-sends what was not confirmed and nothing that was (within repeat_interval).
 */
final class NotificationLog {
  static final Duration RETENTION = Duration.ofHours(120);
  private final NotifyStore store;
  private final Map<String, LogEntry> entries = new ConcurrentHashMap<>();

  NotificationLog(NotifyStore store) {
    this.store = store;
    for (LogEntry e : store.log()) {
      entries.put(e.key(), e);
    }
  }

  /** Reads the log again: what the instance that notified before this one recorded. */
  void reload() {
    Map<String, LogEntry> fresh = new java.util.HashMap<>();
    for (LogEntry e : store.log()) {
      fresh.put(e.key(), e);
    }
    entries.keySet().retainAll(fresh.keySet());
    entries.putAll(fresh);
  }

  static String key(String groupKey, String receiver, int integration) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest((groupKey + "\u0000" + receiver + "\u0000" + integration)
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  LogEntry get(String key) {
    return entries.get(key);
  }

  /** Alertmanager's DedupStage.needsUpdate. */
  static boolean needsUpdate(LogEntry e, Set<String> firing, Set<String> resolved, boolean sendResolved,
      Duration repeat, Instant now) {
    if (e == null) {
      return !firing.isEmpty();
    }
    if (!e.firing().containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      return !e.firing().isEmpty();
    }
    if (sendResolved && !e.resolved().containsAll(resolved)) {
      return true;
    }
    return !e.sentAt().isAfter(now.minus(repeat));
  }

  /** Records in memory that {@code n} reached its receiver at {@code now}; the caller stores the entry. */
  LogEntry delivered(Notification n, Instant now) {
    LogEntry e = entry(n, now);
    remember(e);
    return e;
  }

  /** What the log will say once {@code n} is delivered at {@code now}; stored by the caller. */
  static LogEntry entry(Notification n, Instant now) {
    Set<String> firing = new LinkedHashSet<>();
    Set<String> resolved = new LinkedHashSet<>();
    for (Entry a : n.alerts()) {
      (a.firing() ? firing : resolved).add(a.fingerprint());
    }
    return new LogEntry(n.logKey(), n.groupKey(), n.receiver(), firing, resolved, now,
        now.plusMillis(n.repeatMs()).plus(RETENTION));
  }

  /** Takes {@code e}, already stored, into the in-memory view. */
  void remember(LogEntry e) {
    entries.put(e.key(), e);
  }

  void gc(Instant now) {
    if (entries.values().removeIf(e -> e.expiresAt().isBefore(now))) {
      store.expireLog(now);
    }
  }
}
