package syslens.server.dashboards;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Table {@code dashboards} (server migration V10). Every statement is parameterised. */
final class DashboardStore {
  /** One stored dashboard; {@code body} is the normalised JSON document. */
  record Row(String id, String owner, String title, boolean shared, long version, String body, long updatedAt,
      String updatedBy) {}

  private static final String COLUMNS = "id, owner, title, shared, version, body, updated_at, updated_by";
  private final DataSource db;

  DashboardStore(DataSource db) {
    this.db = requireNonNull(db, "db");
  }

  /** The user's own dashboards and those shared by others, by title; bodies left out (null). */
  List<Row> visibleTo(String user) {
    List<Row> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, owner, title, shared, version, updated_at, updated_by "
            + "FROM dashboards WHERE owner = ? OR shared = TRUE ORDER BY title, id")) {
      ps.setString(1, user);
      ps.setMaxRows(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5), null,
              rs.getLong(6), rs.getString(7)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing the dashboards of " + user + " failed", e);
    }
    return out;
  }

  Optional<Row> find(String id) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM dashboards WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
            rs.getLong(5), rs.getString(6), rs.getLong(7), rs.getString(8))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading dashboard " + id + " failed", e);
    }
  }

  int countOwnedBy(String user) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM dashboards WHERE owner = ?")) {
      ps.setString(1, user);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("counting the dashboards of " + user + " failed", e);
    }
  }

  void insert(Row r) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO dashboards (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.id());
      ps.setString(2, r.owner());
      ps.setString(3, r.title());
      ps.setBoolean(4, r.shared());
      ps.setLong(5, r.version());
      ps.setString(6, r.body());
      ps.setLong(7, r.updatedAt());
      ps.setString(8, r.updatedBy());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("storing dashboard " + r.id() + " failed", e);
    }
  }

  /** Replaces the dashboard if it is still at {@code expectedVersion}; false when another save came first. */
  boolean update(Row r, long expectedVersion) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE dashboards SET title = ?, shared = ?, version = ?, body = ?, "
            + "updated_at = ?, updated_by = ? WHERE id = ? AND version = ?")) {
      ps.setString(1, r.title());
      ps.setBoolean(2, r.shared());
      ps.setLong(3, r.version());
      ps.setString(4, r.body());
      ps.setLong(5, r.updatedAt());
      ps.setString(6, r.updatedBy());
      ps.setString(7, r.id());
      ps.setLong(8, expectedVersion);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("updating dashboard " + r.id() + " failed", e);
    }
  }

  boolean delete(String id) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM dashboards WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("deleting dashboard " + id + " failed", e);
    }
  }
}
