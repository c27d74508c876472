package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Ack;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.LogEntry;
import syslens.alerting.notify.Model.Notification;
import syslens.alerting.notify.Model.Silence;
import syslens.storage.Labels;

/** JDBC access to the V200 notification tables (H2 or PostgreSQL); every failure carries context. */
final class NotifyStore {
  static final ObjectMapper JSON = new ObjectMapper();
  private final DataSource db;

  NotifyStore(DataSource db) {
    this.db = requireNonNull(db, "db");
  }

  // ---- configuration ----

  /** The stored config: its text (secrets masked, or in the clear when {@code secrets} is null) and sealed secrets. */
  record StoredConfig(String body, String secrets) {}

  Optional<StoredConfig> config() {
    return query("reading the notification config", "SELECT body, secrets FROM notify_config WHERE id = 1", ps -> { },
        rs -> new StoredConfig(rs.getString(1), rs.getString(2))).stream().findFirst();
  }

  void saveConfig(String body, String secrets, String by, Instant at) {
    tx("saving the notification config", c -> {
      update(c, "DELETE FROM notify_config WHERE id = 1");
      update(c, "INSERT INTO notify_config (id, body, secrets, updated_at, updated_by) VALUES (1, ?, ?, ?, ?)", body,
          secrets, at.toEpochMilli(), by);
    });
  }

  /** Rewrites the stored config's text and secrets in place (sealing a config stored in the clear). */
  void resealConfig(String body, String secrets) {
    tx("sealing the notification config", c -> update(c, "UPDATE notify_config SET body = ?, secrets = ? WHERE id = 1",
        body, secrets));
  }

  // ---- alerts ----

  void saveAlerts(Map<String, Alert> upserts, Set<String> deletes, Instant now) {
    if (upserts.isEmpty() && deletes.isEmpty()) {
      return;
    }
    tx("saving " + upserts.size() + " alerts", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM notify_alerts WHERE fingerprint = ?")) {
        for (String fp : concat(upserts.keySet(), deletes)) {
          del.setString(1, fp);
          del.addBatch();
        }
        del.executeBatch();
      }
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO notify_alerts (fingerprint, body, ends_at) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, Alert> e : upserts.entrySet()) {
          ins.setString(1, e.getKey());
          Map<String, Object> body = alertJson(e.getValue());
          body.put("storedAt", now.toString());
          ins.setString(2, json(body));
          ins.setLong(3, e.getValue().endsAt().toEpochMilli());
          ins.addBatch();
        }
        ins.executeBatch();
      }
    });
  }

  /**
   * The stored alerts. One that was firing when stored but whose {@code endsAt} passed while the
   * server was down gets that validity again from {@code now}, so a restart does not resolve
   * (and later re-fire) alerts the rules have not had the chance to re-send yet.
   */
  List<Alert> alerts(Instant now) {
    return query("loading alerts", "SELECT body FROM notify_alerts", ps -> { }, rs -> {
      Map<String, Object> m = read(rs.getString(1));
      Alert a = alertFromJson(m);
      Object stored = m.get("storedAt");
      if (stored != null) {
        Instant at = Instant.parse((String) stored);
        if (a.endsAt().isAfter(at) && !a.endsAt().isAfter(now)) {
          Instant ends = now.plus(java.time.Duration.between(at, a.endsAt()));
          a = new Alert(a.labels(), a.annotations(), a.startsAt(), ends, a.generatorUrl(), a.value());
        }
      }
      return a;
    });
  }

  // ---- notification log ----

  void putLog(LogEntry e) {
    tx("writing the notification log", c -> putLog(c, e));
  }

  private static void putLog(Connection c, LogEntry e) throws SQLException {
    update(c, "DELETE FROM notify_log WHERE log_key = ?", e.key());
    update(c, "INSERT INTO notify_log (log_key, group_key, receiver, firing, resolved, sent_at, expires_at) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)", e.key(), e.groupKey(), e.receiver(), String.join(" ", e.firing()),
        String.join(" ", e.resolved()), e.sentAt().toEpochMilli(), e.expiresAt().toEpochMilli());
  }

  List<LogEntry> log() {
    return query("loading the notification log", "SELECT log_key, group_key, receiver, firing, resolved, sent_at, "
        + "expires_at FROM notify_log", ps -> { }, rs -> new LogEntry(rs.getString(1), rs.getString(2),
            rs.getString(3), words(rs.getString(4)), words(rs.getString(5)), Instant.ofEpochMilli(rs.getLong(6)),
            Instant.ofEpochMilli(rs.getLong(7))));
  }

  void expireLog(Instant now) {
    tx("pruning the notification log", c -> update(c, "DELETE FROM notify_log WHERE expires_at < ?", now.toEpochMilli()));
  }

  // ---- queue ----

  /** Persists {@code n} (replacing a pending one for the same log key); returns it with its id. */
  Notification enqueue(Notification n, Instant now) {
    return enqueue(List.of(n), now).get(0);
  }

  /**
   * Persists {@code ns} in one transaction, each replacing a pending notification for the same log
   * key; returns them with their ids, in order.
   */
  List<Notification> enqueue(List<Notification> ns, Instant now) {
    List<Notification> out = new ArrayList<>(ns.size());
    tx("queueing " + ns.size() + " notifications", c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM notify_queue WHERE log_key = ?");
          PreparedStatement ins = c.prepareStatement("INSERT INTO notify_queue (log_key, receiver, body, created_at) "
              + "VALUES (?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        for (Notification n : ns) {
          del.setString(1, n.logKey());
          del.executeUpdate();
          ins.setString(1, n.logKey());
          ins.setString(2, n.receiver());
          ins.setString(3, json(notificationJson(n)));
          ins.setLong(4, now.toEpochMilli());
          ins.executeUpdate();
          try (ResultSet rs = ins.getGeneratedKeys()) {
            rs.next();
            out.add(n.withId(rs.getLong(1)));
          }
        }
      }
    });
    return out;
  }

  boolean queued(long id) {
    return !query("reading notification " + id, "SELECT id FROM notify_queue WHERE id = ?", ps -> ps.setLong(1, id),
        rs -> rs.getLong(1)).isEmpty();
  }

  List<Notification> pending() {
    return query("loading queued notifications", "SELECT id, body FROM notify_queue ORDER BY id", ps -> { },
        rs -> notificationFromJson(read(rs.getString(2))).withId(rs.getLong(1)));
  }

  // ---- deliveries ----

  void logDelivery(Delivery d) {
    tx("writing the delivery log", c -> logDelivery(c, d));
  }

  /**
   * A notification's last attempt, in one transaction: the delivery-log row, the notification-log
   * entry when it was delivered ({@code log} null when it failed), and its removal from the queue.
   */
  void completed(Delivery d, LogEntry log, long notificationId) {
    tx("recording the delivery of notification " + notificationId, c -> {
      logDelivery(c, d);
      if (log != null) {
        putLog(c, log);
      }
      update(c, "DELETE FROM notify_queue WHERE id = ?", notificationId);
    });
  }

  private static void logDelivery(Connection c, Delivery d) throws SQLException {
    update(c, "INSERT INTO notify_deliveries (notification_id, receiver, "
        + "integration, group_key, alerts, attempt, status, error, at_ms, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        d.notificationId(), d.receiver(), d.integration(), cut(d.groupKey(), 4096), d.alerts(), d.attempt(), d.status(),
        d.error() == null ? null : cut(d.error(), 1024), d.at().toEpochMilli(), d.durationMs());
  }

  List<Delivery> deliveries(String receiver, Instant from, Instant to, int limit) {
    String sql = "SELECT id, notification_id, receiver, integration, group_key, alerts, attempt, status, error, at_ms, "
        + "duration_ms FROM notify_deliveries WHERE at_ms >= ? AND at_ms <= ?"
        + (receiver == null ? "" : " AND receiver = ?") + " ORDER BY id DESC";
    return query("reading the delivery log", sql, ps -> {
      ps.setLong(1, from.toEpochMilli());
      ps.setLong(2, to.toEpochMilli());
      if (receiver != null) {
        ps.setString(3, receiver);
      }
      ps.setMaxRows(limit);
    }, rs -> new Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getString(9), Instant.ofEpochMilli(rs.getLong(10)), rs.getLong(11)));
  }

  /** Drops delivery-log rows older than {@code deliveries} and silences that ended before {@code silences}. */
  void prune(Instant deliveries, Instant silences) {
    tx("pruning the delivery log and old silences", c -> {
      update(c, "DELETE FROM notify_deliveries WHERE at_ms < ?", deliveries.toEpochMilli());
      update(c, "DELETE FROM notify_silences WHERE ends_at < ?", silences.toEpochMilli());
    });
  }

  // ---- silences and acks ----

  void putSilence(Silence s) {
    List<Map<String, Object>> ms = s.matchers().stream().map(Matcher::toJson).toList();
    tx("saving silence " + s.id(), c -> {
      update(c, "DELETE FROM notify_silences WHERE id = ?", s.id());
      update(c, "INSERT INTO notify_silences (id, matchers, starts_at, ends_at, created_by, comment, updated_at) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?)", s.id(), json(ms), s.startsAt().toEpochMilli(), s.endsAt().toEpochMilli(),
          s.createdBy(), s.comment(), s.updatedAt().toEpochMilli());
    });
  }

  List<Silence> silences() {
    return query("loading silences", "SELECT id, matchers, starts_at, ends_at, created_by, comment, updated_at "
        + "FROM notify_silences", ps -> { }, rs -> {
          List<Matcher> ms = new ArrayList<>();
          for (Object o : JSON.readValue(rs.getString(2), List.class)) {
            Map<?, ?> m = (Map<?, ?>) o;
            ms.add(Matcher.fromJson((String) m.get("name"), (String) m.get("value"), (Boolean) m.get("isRegex"),
                (Boolean) m.get("isEqual")));
          }
          return new Silence(rs.getString(1), ms, Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)),
              rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
        });
  }

  void putAck(Ack a) {
    tx("saving an acknowledgement", c -> {
      update(c, "DELETE FROM notify_acks WHERE fingerprint = ?", a.fingerprint());
      update(c, "INSERT INTO notify_acks (fingerprint, acked_by, comment, acked_at) VALUES (?, ?, ?, ?)",
          a.fingerprint(), a.by(), a.comment(), a.at().toEpochMilli());
    });
  }

  void deleteAck(String fingerprint) {
    tx("removing an acknowledgement", c -> update(c, "DELETE FROM notify_acks WHERE fingerprint = ?", fingerprint));
  }

  List<Ack> acks() {
    return query("loading acknowledgements", "SELECT fingerprint, acked_by, comment, acked_at FROM notify_acks",
        ps -> { }, rs -> new Ack(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
  }

  // ---- JSON codecs ----

  static Map<String, Object> alertJson(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("labels", a.labels().toMap());
    m.put("annotations", a.annotations());
    m.put("startsAt", a.startsAt().toString());
    m.put("endsAt", a.endsAt().toString());
    m.put("generatorURL", a.generatorUrl());
    m.put("value", Double.isFinite(a.value()) ? a.value() : null);
    return m;
  }

  @SuppressWarnings("unchecked")
  static Alert alertFromJson(Map<String, Object> m) {
    Object v = m.get("value");
    return new Alert(Labels.fromMap((Map<String, String>) m.get("labels")), (Map<String, String>) m.get("annotations"),
        Instant.parse((String) m.get("startsAt")), Instant.parse((String) m.get("endsAt")),
        (String) m.get("generatorURL"), v instanceof Number n ? n.doubleValue() : Double.NaN);
  }

  private static Map<String, Object> notificationJson(Notification n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("logKey", n.logKey());
    m.put("receiver", n.receiver());
    m.put("integration", n.integration());
    m.put("groupKey", n.groupKey());
    m.put("groupLabels", n.groupLabels());
    m.put("repeatMs", n.repeatMs());
    m.put("escalation", n.escalation());
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Entry e : n.alerts()) {
      Map<String, Object> a = alertJson(e.alert());
      a.put("firing", e.firing());
      alerts.add(a);
    }
    m.put("alerts", alerts);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Notification notificationFromJson(Map<String, Object> m) {
    List<Entry> alerts = new ArrayList<>();
    for (Object o : (List<Object>) m.get("alerts")) {
      Map<String, Object> a = (Map<String, Object>) o;
      Alert alert = alertFromJson(a);
      alerts.add(new Entry(Model.fingerprint(alert.labels()), alert, Boolean.TRUE.equals(a.get("firing"))));
    }
    return new Notification(0, (String) m.get("logKey"), (String) m.get("receiver"),
        ((Number) m.get("integration")).intValue(), (String) m.get("groupKey"),
        (Map<String, String>) m.get("groupLabels"), alerts, ((Number) m.get("repeatMs")).longValue(),
        Boolean.TRUE.equals(m.get("escalation")));
  }

  static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("encoding JSON", e);
    }
  }

  private static Map<String, Object> read(String s) throws JsonProcessingException {
    return JSON.readValue(s, new TypeReference<>() {});
  }

  // ---- JDBC plumbing ----

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException, JsonProcessingException;
  }

  private interface Work {
    void run(Connection c) throws SQLException;
  }

  private <T> List<T> query(String what, String sql, Binder binder, RowMapper<T> mapper) {
    List<T> out = new ArrayList<>();
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException(what + " failed", e);
    }
    return out;
  }

  private void tx(String what, Work work) {
    try (Connection c = db.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(what + " failed", e);
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] == null) {
          ps.setNull(i + 1, java.sql.Types.VARCHAR);
        } else {
          ps.setObject(i + 1, args[i]);
        }
      }
      return ps.executeUpdate();
    }
  }

  private static Set<String> words(String s) {
    return s == null || s.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(s.split(" ")));
  }

  private static Set<String> concat(Set<String> a, Set<String> b) {
    Set<String> s = new LinkedHashSet<>(a);
    s.addAll(b);
    return s;
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  static Map<String, String> stringMap(Map<?, ?> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }
}
