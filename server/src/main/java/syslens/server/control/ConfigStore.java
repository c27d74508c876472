package syslens.server.control;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import syslens.server.meta.MetaStore;

/** Tables {@code node_config} and {@code node_group_members} (migration V4). */
final class ConfigStore {
  /** One stored version of a group's or node's configuration; body null: deleted. */
  record Row(String kind, String scope, long version, String body, long createdAt, String createdBy) {}

  record Member(String nodeId, String group, long version) {}

  private final MetaStore db;

  ConfigStore(MetaStore db) {
    this.db = requireNonNull(db, "db");
  }

  /** The newest row of every scope. */
  List<Row> latest() {
    List<Row> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT n.scope_kind, n.scope, n.version, n.body, n.created_at, "
            + "n.created_by FROM node_config n WHERE n.version = (SELECT MAX(m.version) FROM node_config m "
            + "WHERE m.scope_kind = n.scope_kind AND m.scope = n.scope)");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(row(rs));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading node configurations failed", e);
    }
    return out;
  }

  /** A scope's versions, newest first, at most {@code limit}. */
  List<Row> history(String kind, String scope, int limit) {
    List<Row> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT scope_kind, scope, version, body, created_at, created_by "
            + "FROM node_config WHERE scope_kind = ? AND scope = ? ORDER BY version DESC")) {
      ps.setString(1, kind);
      ps.setString(2, scope);
      ps.setMaxRows(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading the configuration history of " + kind + " " + scope + " failed", e);
    }
    return out;
  }

  List<Member> members() {
    List<Member> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT node_id, group_name, version FROM node_group_members");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Member(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading group members failed", e);
    }
    return out;
  }

  /** The highest version used so far (configurations and memberships share the counter). */
  long maxVersion() {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT (SELECT COALESCE(MAX(version), 0) FROM node_config), "
            + "(SELECT COALESCE(MAX(version), 0) FROM node_group_members)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return Math.max(rs.getLong(1), rs.getLong(2));
    } catch (SQLException e) {
      throw new IllegalStateException("reading the configuration version failed", e);
    }
  }

  void insert(Row r) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO node_config (scope_kind, scope, version, body, "
            + "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.kind());
      ps.setString(2, r.scope());
      ps.setLong(3, r.version());
      ps.setString(4, r.body());
      ps.setLong(5, r.createdAt());
      ps.setString(6, r.createdBy());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("storing the configuration of " + r.kind() + " " + r.scope() + " failed", e);
    }
  }

  /** Sets a node's group ("" for none). */
  void setMember(Member m) {
    try (Connection c = db.dataSource().getConnection()) {
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE node_group_members SET group_name = ?, version = ? WHERE node_id = ?")) {
        up.setString(1, m.group());
        up.setLong(2, m.version());
        up.setString(3, m.nodeId());
        if (up.executeUpdate() > 0) {
          return;
        }
      }
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO node_group_members (node_id, group_name, version) VALUES (?, ?, ?)")) {
        ins.setString(1, m.nodeId());
        ins.setString(2, m.group());
        ins.setLong(3, m.version());
        ins.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("setting the group of node " + m.nodeId() + " failed", e);
    }
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5), rs.getString(6));
  }
}
