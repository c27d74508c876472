package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import syslens.alerting.AlertingSchema;
import syslens.storage.Labels;

/** {@link StateStore} in the metadata database (tables of migration V100). */
public final class JdbcStateStore implements StateStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};

  private final DataSource db;

  private JdbcStateStore(DataSource db) {
    this.db = db;
  }

  /** Migrates the alerting schema and opens the store. */
  public static JdbcStateStore create(DataSource db) {
    requireNonNull(db, "db");
    AlertingSchema.migrate(db);
    return new JdbcStateStore(db);
  }

  static String id(String ruleKey, Labels labels) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(ruleKey.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(labels.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String json(Map<String, String> m) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(m));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> map(String s) {
    try {
      return JSON.readValue(s, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON unreadable: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public void write(List<InstanceRow> changed, List<InstanceRow> removed,
      List<Transition> history) {
    if (changed.isEmpty() && removed.isEmpty() && history.isEmpty()) {
      return;
    }
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        upsert(c, changed);
        try (PreparedStatement del = c.prepareStatement("DELETE FROM alert_instances WHERE id = ?")) {
          for (InstanceRow r : removed) {
            del.setString(1, id(r.ruleKey(), r.labels()));
            del.addBatch();
          }
          del.executeBatch();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO alert_history (at_ms, "
            + "rule_key, rule, node, level, from_state, to_state, sample_value, labels) "
            + "VALUES (?,?,?,?,?,?,?,?,?)")) {
          for (Transition t : history) {
            ins.setLong(1, t.atMs());
            ins.setString(2, t.ruleKey());
            ins.setString(3, t.rule());
            ins.setString(4, t.node());
            ins.setString(5, t.level());
            ins.setString(6, t.from());
            ins.setString(7, t.to());
            ins.setDouble(8, finite(t.value()));
            ins.setString(9, json(t.labels().toMap()));
            ins.addBatch();
          }
          ins.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving alert state: " + e.getMessage(), e);
    }
  }

  /** NaN and infinities are not portable SQL doubles; stored as 0 (the live value is in memory). */
  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  private static void upsert(Connection c, List<InstanceRow> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement del = c.prepareStatement("DELETE FROM alert_instances WHERE id = ?");
        PreparedStatement ins = c.prepareStatement("INSERT INTO alert_instances (id, rule_key, "
            + "labels, annotations, state, sample_value, active_at, fired_at, resolved_at, last_sent_at,"
            + " keep_firing_since, changes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (InstanceRow r : rows) {
        String id = id(r.ruleKey(), r.labels());
        del.setString(1, id);
        del.addBatch();
        ins.setString(1, id);
        ins.setString(2, r.ruleKey());
        ins.setString(3, json(r.labels().toMap()));
        ins.setString(4, json(r.annotations()));
        ins.setString(5, r.state());
        ins.setDouble(6, finite(r.value()));
        ins.setLong(7, r.activeAt());
        ins.setLong(8, r.firedAt());
        ins.setLong(9, r.resolvedAt());
        ins.setLong(10, r.lastSentAt());
        ins.setLong(11, r.keepFiringSince());
        StringBuilder ch = new StringBuilder();
        for (Long t : r.changes()) {
          if (ch.length() < 2000) {
            ch.append(ch.length() == 0 ? "" : ",").append(t);
          }
        }
        ins.setString(12, ch.toString());
        ins.addBatch();
      }
      del.executeBatch();
      ins.executeBatch();
    }
  }

  @Override
  public List<InstanceRow> loadInstances() {
    return load("", List.of());
  }

  /** By the rule-key index, in chunks of {@value #KEYS_PER_QUERY} keys. */
  @Override
  public List<InstanceRow> loadInstances(java.util.Collection<String> ruleKeys) {
    List<String> keys = List.copyOf(ruleKeys);
    List<InstanceRow> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += KEYS_PER_QUERY) {
      List<String> chunk = keys.subList(i, Math.min(keys.size(), i + KEYS_PER_QUERY));
      out.addAll(load(" WHERE rule_key IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")",
          chunk));
    }
    return out;
  }

  static final int KEYS_PER_QUERY = 500;

  private List<InstanceRow> load(String where, List<String> args) {
    List<InstanceRow> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT rule_key, labels, annotations, state, "
            + "sample_value, active_at, fired_at, resolved_at, last_sent_at, keep_firing_since, changes "
            + "FROM alert_instances" + where)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setString(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Long> changes = new ArrayList<>();
          for (String s : rs.getString(11).split(",")) {
            if (!s.isEmpty()) {
              changes.add(Long.parseLong(s));
            }
          }
          out.add(new InstanceRow(rs.getString(1), Labels.fromMap(map(rs.getString(2))),
              map(rs.getString(3)), rs.getString(4), rs.getDouble(5), rs.getLong(6), rs.getLong(7),
              rs.getLong(8), rs.getLong(9), rs.getLong(10), changes));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading alert state: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public List<Transition> history(HistoryQuery q) {
    StringBuilder sql = new StringBuilder("SELECT at_ms, rule_key, rule, node, level, from_state,"
        + " to_state, sample_value, labels FROM alert_history WHERE at_ms >= ? AND at_ms <= ?");
    List<String> args = new ArrayList<>();
    for (String[] f : new String[][] {{"rule", q.rule()}, {"node", q.node()},
        {"level", q.level()}}) {
      if (f[1] != null && !f[1].isEmpty()) {
        sql.append(" AND ").append(f[0]).append(" = ?");
        args.add(f[1]);
      }
    }
    sql.append(" ORDER BY at_ms DESC, id DESC OFFSET ? ROWS");
    int limit = Math.max(1, Math.min(q.limit(), MAX_HISTORY_PAGE));
    List<Transition> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      ps.setMaxRows(limit);
      ps.setLong(1, q.startMs());
      ps.setLong(2, q.endMs());
      for (int i = 0; i < args.size(); i++) {
        ps.setString(3 + i, args.get(i));
      }
      ps.setInt(3 + args.size(), Math.max(0, q.offset()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && out.size() < limit) {
          out.add(new Transition(rs.getLong(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
              rs.getDouble(8), Labels.fromMap(map(rs.getString(9)))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading alert history: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void saveBaseline(String ruleKey, Baseline b) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement(
              "DELETE FROM alert_baselines WHERE rule_key = ?");
          PreparedStatement ins = c.prepareStatement("INSERT INTO alert_baselines (rule_key, "
              + "series_id, labels, stats, trained_at) VALUES (?,?,?,?,?)")) {
        del.setString(1, ruleKey);
        del.executeUpdate();
        for (Map.Entry<Labels, Baseline.SeriesStats> e : b.series().entrySet()) {
          ins.setString(1, ruleKey);
          ins.setString(2, id(ruleKey, e.getKey()));
          ins.setString(3, json(e.getKey().toMap()));
          ins.setString(4, e.getValue().encode());
          ins.setLong(5, b.trainedAt());
          ins.addBatch();
        }
        ins.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving baseline of " + ruleKey + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Baseline loadBaseline(String ruleKey) {
    Map<Labels, Baseline.SeriesStats> series = new HashMap<>();
    long trained = Baseline.NEVER;
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT labels, stats, trained_at FROM "
            + "alert_baselines WHERE rule_key = ?")) {
      ps.setString(1, ruleKey);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          series.put(Labels.fromMap(map(rs.getString(1))),
              Baseline.SeriesStats.decode(rs.getString(2)));
          trained = rs.getLong(3);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading baseline of " + ruleKey + ": " + e.getMessage(), e);
    }
    return new Baseline(series, trained);
  }
}
