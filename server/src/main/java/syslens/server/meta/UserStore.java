package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/** Users and their bcrypt password hashes. */
public final class UserStore {
  /** A stored user. */
  public record User(long id, String username, String passwordHash, String role) {}

  private final MetaStore db;
  private final Clock clock;

  public UserStore(MetaStore db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  public Optional<User> find(String username) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id, username, password_hash, role FROM users WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading user " + username + " failed", e);
    }
  }

  public long count() {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM users");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("counting users failed", e);
    }
  }

  public void create(String username, String passwordHash, String role) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, username);
      ps.setString(2, passwordHash);
      ps.setString(3, role);
      ps.setLong(4, clock.millis());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("creating user " + username + " failed", e);
    }
  }
}
