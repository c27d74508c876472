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
import java.util.List;
import java.util.Map;

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
  private final MetaStore db;

  public NodeStore(MetaStore db) {
    this.db = requireNonNull(db, "db");
  }

  public void upsert(NodeRecord n) {
    String labels;
    try {
      labels = JSON.writeValueAsString(n.labels());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    try (Connection c = db.connection()) {
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE nodes SET hostname=?, os=?, agent_version=?, labels_json=?, last_seen=?, kind=? WHERE id=?")) {
        up.setString(1, n.hostname());
        up.setString(2, n.os());
        up.setString(3, n.agentVersion());
        up.setString(4, labels);
        up.setLong(5, n.lastSeen());
        up.setString(6, n.kind());
        up.setString(7, n.id());
        if (up.executeUpdate() > 0) {
          return;
        }
      }
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO nodes (id, hostname, os, agent_version, labels_json, first_seen, last_seen, kind)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
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
    } catch (SQLException e) {
      throw new IllegalStateException("saving node " + n.id() + " failed", e);
    }
  }

  public void touch(String id, long lastSeen) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("UPDATE nodes SET last_seen=? WHERE id=?")) {
      ps.setLong(1, lastSeen);
      ps.setString(2, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("updating node " + id + " failed", e);
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
