package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
    if (!upserts.isEmpty() || !deletes.isEmpty()) {
      tx("saving " + upserts.size() + " alerts", c -> saveAlerts(c, upserts, deletes, now));
    }
  }

  private static void saveAlerts(Connection c, Map<String, Alert> upserts, Set<String> deletes, Instant now)
      throws SQLException {
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
  }

  /**
   * The stored alerts. One that was firing when stored but whose {@code endsAt} passed while the
   * server was down gets that validity again from {@code now}, so a restart does not resolve
   * (and later re-fire) alerts the rules have not had the chance to re-send yet.
   */
  List<Alert> alerts(Instant now) {
    return alerts(now, true);
  }

  /**
   * The stored alerts; with {@code extend} false exactly as stored (a standby instance shows what
   * the notifying instance last wrote, and an alert whose {@code endsAt} passed is resolved).
   */
  List<Alert> alerts(Instant now, boolean extend) {
    return query("loading alerts", "SELECT body FROM notify_alerts", ps -> { }, rs -> {
      Map<String, Object> m = read(rs.getString(1));
      Alert a = alertFromJson(m);
      Object stored = m.get("storedAt");
      if (stored != null && extend) {
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
    putLogs(List.of(e));
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

  /** The highest notification id used so far (queue and delivery log), so new ids never repeat one. */
  long lastNotificationId() {
    return query("reading the last notification id", "SELECT COALESCE(MAX(id), 0) FROM notify_queue UNION ALL "
        + "SELECT COALESCE(MAX(notification_id), 0) FROM notify_deliveries", ps -> { }, rs -> rs.getLong(1))
        .stream().mapToLong(Long::longValue).max().orElse(0);
  }

  List<Notification> pending() {
    return query("loading queued notifications", "SELECT id, body FROM notify_queue ORDER BY id", ps -> { },
        rs -> notificationFromJson(read(rs.getString(2))).withId(rs.getLong(1)));
  }

  // ---- deliveries ----

  /**
   * The notifier writer's batch, in one transaction and in order (consecutive operations of one
   * kind are written together with JDBC batches).
   */
  void write(List<NotifyWriter.Op> ops) {
    if (ops.isEmpty()) {
      return;
    }
    // A notification whose last attempt is in the same batch as its queue row never needs the
    // row: neither is written (the batch commits as one, so a restart sees the same either way).
    Set<Long> finished = new java.util.HashSet<>();
    for (NotifyWriter.Op op : ops) {
      if (op instanceof NotifyWriter.Outcome o && o.last()) {
        finished.add(o.delivery().notificationId());
      }
    }
    Set<Long> skipped = new java.util.HashSet<>();
    tx("writing " + ops.size() + " notifier records", c -> {
      skipped.clear();
      for (int i = 0; i < ops.size(); ) {
        int j = i + 1;
        while (j < ops.size() && ops.get(j).getClass() == ops.get(i).getClass()) {
          j++;
        }
        List<NotifyWriter.Op> run = ops.subList(i, j);
        switch (ops.get(i)) {
          case NotifyWriter.Enqueue e -> enqueue(c, run, finished, skipped);
          case NotifyWriter.Outcome o -> outcomes(c, run, skipped);
          case NotifyWriter.Logs l -> putLogs(c, run.stream().flatMap(x -> ((NotifyWriter.Logs) x).entries().stream())
              .toList());
          case NotifyWriter.Alerts a -> {
            for (NotifyWriter.Op x : run) {
              NotifyWriter.Alerts al = (NotifyWriter.Alerts) x;
              saveAlerts(c, al.upserts(), al.deletes(), al.at());
            }
          }
          default -> throw new IllegalArgumentException("unknown notifier record " + ops.get(i));
        }
        i = j;
      }
    });
  }

  private static void enqueue(Connection c, List<NotifyWriter.Op> run, Set<Long> finished, Set<Long> skipped)
      throws SQLException {
    Map<String, Notification> newest = new LinkedHashMap<>(); // an older one for the same key is superseded
    Map<String, Instant> at = new HashMap<>();
    for (NotifyWriter.Op op : run) {
      NotifyWriter.Enqueue e = (NotifyWriter.Enqueue) op;
      for (Notification n : e.notifications()) {
        newest.merge(n.logKey(), n, (a, b) -> b.id() > a.id() ? b : a);
        at.put(n.logKey(), e.at());
      }
    }
    try (PreparedStatement del = c.prepareStatement("DELETE FROM notify_queue WHERE log_key = ?");
        PreparedStatement ins = c.prepareStatement("INSERT INTO notify_queue (id, log_key, receiver, body, created_at) "
            + "VALUES (?, ?, ?, ?, ?)")) {
      for (Notification n : newest.values()) {
        del.setString(1, n.logKey()); // an older row for the key, from an earlier batch, is superseded
        del.addBatch();
        if (finished.contains(n.id())) {
          skipped.add(n.id());
          continue;
        }
        ins.setLong(1, n.id());
        ins.setString(2, n.logKey());
        ins.setString(3, n.receiver());
        ins.setString(4, json(notificationJson(n)));
        ins.setLong(5, at.get(n.logKey()).toEpochMilli());
        ins.addBatch();
      }
      del.executeBatch();
      ins.executeBatch();
    }
  }

  /**
   * Outcomes of delivery attempts: a delivery-log row each, the notification-log entries of
   * delivered notifications (the newest per key), and the removal from the queue of each
   * notification whose last attempt it was.
   */
  private static void outcomes(Connection c, List<NotifyWriter.Op> run, Set<Long> skipped) throws SQLException {
    Map<String, LogEntry> logs = new LinkedHashMap<>();
    try (PreparedStatement ins = c.prepareStatement(INSERT_DELIVERY);
        PreparedStatement del = c.prepareStatement("DELETE FROM notify_queue WHERE id = ?")) {
      for (NotifyWriter.Op op : run) {
        NotifyWriter.Outcome o = (NotifyWriter.Outcome) op;
        bindDelivery(ins, o.delivery());
        ins.addBatch();
        if (o.log() != null) {
          logs.merge(o.log().key(), o.log(), (a, b) -> b.sentAt().isBefore(a.sentAt()) ? a : b);
        }
        if (o.last() && !skipped.contains(o.delivery().notificationId())) {
          del.setLong(1, o.delivery().notificationId());
          del.addBatch();
        }
      }
      ins.executeBatch();
      del.executeBatch();
    }
    putLogs(c, logs.values());
  }

  /** Notification-log entries in one transaction (e.g. a tick's groups that all resolved). */
  void putLogs(java.util.Collection<LogEntry> entries) {
    if (!entries.isEmpty()) {
      tx("writing " + entries.size() + " notification-log entries", c -> putLogs(c, entries));
    }
  }

  private static void putLogs(Connection c, java.util.Collection<LogEntry> entries) throws SQLException {
    if (entries.isEmpty()) {
      return;
    }
    try (PreparedStatement del = c.prepareStatement("DELETE FROM notify_log WHERE log_key = ?");
        PreparedStatement ins = c.prepareStatement(INSERT_LOG)) {
      for (LogEntry e : entries) {
        del.setString(1, e.key());
        del.addBatch();
        bindLog(ins, e);
        ins.addBatch();
      }
      del.executeBatch();
      ins.executeBatch();
    }
  }

  private static final String INSERT_LOG = "INSERT INTO notify_log (log_key, group_key, receiver, firing, "
      + "resolved, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_DELIVERY = "INSERT INTO notify_deliveries (notification_id, receiver, "
      + "integration, group_key, alerts, attempt, status, error, at_ms, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static void bindLog(PreparedStatement ps, LogEntry e) throws SQLException {
    ps.setString(1, e.key());
    ps.setString(2, e.groupKey());
    ps.setString(3, e.receiver());
    ps.setString(4, String.join(" ", e.firing()));
    ps.setString(5, String.join(" ", e.resolved()));
    ps.setLong(6, e.sentAt().toEpochMilli());
    ps.setLong(7, e.expiresAt().toEpochMilli());
  }

  private static void bindDelivery(PreparedStatement ps, Delivery d) throws SQLException {
    ps.setLong(1, d.notificationId());
    ps.setString(2, d.receiver());
    ps.setString(3, d.integration());
    ps.setString(4, cut(d.groupKey(), 4096));
    ps.setInt(5, d.alerts());
    ps.setInt(6, d.attempt());
    ps.setString(7, d.status());
    if (d.error() == null) {
      ps.setNull(8, java.sql.Types.VARCHAR);
    } else {
      ps.setString(8, cut(d.error(), 1024));
    }
    ps.setLong(9, d.at().toEpochMilli());
    ps.setLong(10, d.durationMs());
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
