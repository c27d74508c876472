package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Where {@link LoginGuard} keeps what must survive a restart: active locks and trusted sources
 * (tables {@code login_locks} and {@code login_trusted}). Failure counts below the lock threshold
 * stay in memory only. Writes happen on rare events (a lock, an unlock, a new trusted source).
 */
final class LoginLockStore implements LoginGuard.Store {
  /** The source key of an account-wide lock for sources that never logged in to the account. */
  static final String UNTRUSTED = "*";
  static final int MAX_LOADED = 100_000;

  private final DataSource db;

  LoginLockStore(DataSource db) {
    this.db = requireNonNull(db, "db");
  }

  @Override
  public void lock(String account, String source, long lockedUntil) {
    try (Connection c = db.getConnection()) {
      int n;
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE login_locks SET locked_until = ? WHERE username = ? AND source = ?")) {
        ps.setLong(1, lockedUntil);
        ps.setString(2, account);
        ps.setString(3, source);
        n = ps.executeUpdate();
      }
      if (n == 0) {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO login_locks (username, source, locked_until) VALUES (?, ?, ?)")) {
          ps.setString(1, account);
          ps.setString(2, source);
          ps.setLong(3, lockedUntil);
          ps.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("storing the login lock of " + account + " failed", e);
    }
  }

  @Override
  public void trust(String account, String source, long at) {
    try (Connection c = db.getConnection()) {
      int n;
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE login_trusted SET last_login = ? WHERE username = ? AND source = ?")) {
        ps.setLong(1, at);
        ps.setString(2, account);
        ps.setString(3, source);
        n = ps.executeUpdate();
      }
      if (n == 0) {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO login_trusted (username, source, last_login) VALUES (?, ?, ?)")) {
          ps.setString(1, account);
          ps.setString(2, source);
          ps.setLong(3, at);
          ps.executeUpdate();
        }
      }
      // A successful login from a source ends that source's own lock.
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_locks WHERE username = ? AND source = ?")) {
        ps.setString(1, account);
        ps.setString(2, source);
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("storing a trusted source of " + account + " failed", e);
    }
  }

  @Override
  public void unlock(String account) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM login_locks WHERE username = ?")) {
      ps.setString(1, account);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("removing the login locks of " + account + " failed", e);
    }
  }

  @Override
  public Loaded load(long now) {
    List<Lock> locks = new ArrayList<>();
    List<String[]> trusted = new ArrayList<>();
    try (Connection c = db.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_locks WHERE locked_until <= ?")) {
        ps.setLong(1, now);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT username, source, locked_until FROM login_locks ORDER BY locked_until")) {
        ps.setMaxRows(MAX_LOADED);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            locks.add(new Lock(rs.getString(1), rs.getString(2), rs.getLong(3)));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT username, source FROM login_trusted ORDER BY last_login")) {
        ps.setMaxRows(MAX_LOADED);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            trusted.add(new String[] {rs.getString(1), rs.getString(2)});
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading login locks failed", e);
    }
    return new Loaded(locks, trusted);
  }
}
