package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Known nodes, persisted so the node list survives a restart. */
public final class NodeStore {
  /** A node as stored; {@code kind} is {@value #KIND_AGENT}, {@code vm} or {@code esxi}. */
  public record NodeRecord(String id, String kind, String hostname, String os, String agentVersion,
      Map<String, String> labels, long firstSeen, long lastSeen) {
    /** An agent node. */
    public NodeRecord(String id, String hostname, String os, String agentVersion,
        Map<String, String> labels, long firstSeen, long lastSeen) {
      this(id, KIND_AGENT, hostname, os, agentVersion, labels, firstSeen, lastSeen);
    }
  }

  public static final String KIND_AGENT = "agent";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ATTEMPTS = 5;
  private final MetaStore db;

  public NodeStore(MetaStore db) {
    this.db = requireNonNull(db, "db");
  }

  /**
   * Writes {@code records} (inserted or updated whole) and {@code lastSeen} (last-seen times of
   * existing rows) in one transaction. A write conflict with another transaction (H2's MVStore
   * and PostgreSQL report one as a transaction rollback or lock timeout) is retried a few times
   * with the whole batch; anything else, or a conflict that persists, is thrown.
   */
  public void save(Collection<NodeRecord> records, Map<String, Long> lastSeen) {
    requireNonNull(records, "records");
    requireNonNull(lastSeen, "lastSeen");
    if (records.isEmpty() && lastSeen.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        saveOnce(records, lastSeen);
        return;
      } catch (SQLException e) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(e)) {
          throw new IllegalStateException("saving " + records.size() + " nodes and " + lastSeen.size()
              + " last-seen times failed after " + attempt + " attempt(s)", e);
        }
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("saving nodes interrupted", e);
        }
      }
    }
  }

  private void saveOnce(Collection<NodeRecord> records, Map<String, Long> lastSeen) throws SQLException {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement up = c.prepareStatement(
              "UPDATE nodes SET hostname=?, os=?, agent_version=?, labels_json=?, last_seen=?, kind=? WHERE id=?");
          PreparedStatement ins = c.prepareStatement(
              "INSERT INTO nodes (id, hostname, os, agent_version, labels_json, first_seen, last_seen, kind)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
          PreparedStatement touch = c.prepareStatement("UPDATE nodes SET last_seen=? WHERE id=?")) {
        for (NodeRecord n : records) {
          String labels = labelsJson(n);
          up.setString(1, n.hostname());
          up.setString(2, n.os());
          up.setString(3, n.agentVersion());
          up.setString(4, labels);
          up.setLong(5, n.lastSeen());
          up.setString(6, n.kind());
          up.setString(7, n.id());
          if (up.executeUpdate() == 0) {
            ins.setString(1, n.id());
            ins.setString(2, n.hostname());
            ins.setString(3, n.os());
            ins.setString(4, n.agentVersion());
            ins.setString(5, labels);
            ins.setLong(6, n.firstSeen());
            ins.setLong(7, n.lastSeen());
            ins.setString(8, n.kind());
            ins.executeUpdate();
          }
        }
        for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
          touch.setLong(1, e.getValue());
          touch.setString(2, e.getKey());
          touch.addBatch();
        }
        if (!lastSeen.isEmpty()) {
          touch.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * A conflict another attempt may not meet: serialization failure or deadlock (SQLSTATE class
   * 40, H2's "concurrent update" 90131 and MVStore's "transaction locked"), or a lock timeout.
   */
  static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        if ((state != null && (state.startsWith("40") || state.equals("HYT00") || state.equals("55P03")))
            || s.getErrorCode() == 90131 || s.getErrorCode() == 50200) {
          return true;
        }
      } else if (t.getClass().getName().equals("org.h2.mvstore.MVStoreException")) {
        return true;
      }
    }
    return false;
  }

  private static String labelsJson(NodeRecord n) {
    try {
      return JSON.writeValueAsString(n.labels());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("node " + n.id() + ": labels not writable as JSON", e);
    }
  }

  /** Removes the node's row (decommissioned or expired); false when there was none. */
  public boolean delete(String id) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE id=?")) {
      ps.setString(1, id);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("deleting node " + id + " failed", e);
    }
  }

  public List<NodeRecord> all() {
    List<NodeRecord> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id, hostname, os, agent_version, labels_json, first_seen, last_seen, kind FROM nodes ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Map<String, String> labels = JSON.readValue(rs.getString(5), new TypeReference<>() {});
        out.add(new NodeRecord(rs.getString(1), rs.getString(8), rs.getString(2), rs.getString(3), rs.getString(4),
            labels, rs.getLong(6), rs.getLong(7)));
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("listing nodes failed", e);
    }
    return out;
  }
}
