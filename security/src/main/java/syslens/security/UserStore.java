package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * Users in the metadata database, with a short-lived read cache by id (what every authenticated
 * request consults). Every write goes through here and drops the cached entry at once, so a
 * change is seen by the next request on this instance; other instances see it within
 * {@link #CACHE_TTL_MS}.
 */
final class UserStore {
  static final long CACHE_TTL_MS = 2_000;
  private static final String COLUMNS = "id, username, password_hash, role, disabled, "
      + "must_change_password, language, version, totp_secret, totp_enabled, created_at, extra_grants, "
      + "extra_denies, recovery_codes, scopes";

  private record Cached(Optional<User> user, long at) {}

  private final DataSource db;
  private final Clock clock;
  private final ConcurrentHashMap<Long, Cached> byId = new ConcurrentHashMap<>();
  private volatile LongConsumer onChange = id -> {};

  private final RefreshAhead refresh;

  UserStore(DataSource db, Clock clock, RefreshAhead refresh) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
    this.refresh = requireNonNull(refresh, "refresh");
  }

  void onChange(LongConsumer listener) {
    this.onChange = requireNonNull(listener, "listener");
  }

  Optional<User> find(String username) {
    return queryOne("SELECT " + COLUMNS + " FROM users WHERE username = ?", ps -> ps.setString(1, username));
  }

  /** Cached for at most {@link #CACHE_TTL_MS}; dropped on every change made here. */
  Optional<User> findCached(long id) {
    return findCached(id, false);
  }

  /**
   * Like {@link #findCached(long)}; with {@code cachedOnly}, never reads the database: null when
   * the entry is missing or stale. An entry past half its lifetime is read again in the background
   * ({@link RefreshAhead}), so a user who keeps sending requests is always answered from memory.
   */
  Optional<User> findCached(long id, boolean cachedOnly) {
    long now = clock.millis();
    Cached c = byId.get(id);
    if (c != null && now - c.at() < CACHE_TTL_MS && now >= c.at()) {
      if (cachedOnly && RefreshAhead.due(now, c.at(), CACHE_TTL_MS)) {
        refresh.submit("user " + id, () -> reload(id));
      }
      return c.user();
    }
    if (cachedOnly) {
      return null;
    }
    Optional<User> u = queryOne("SELECT " + COLUMNS + " FROM users WHERE id = ?", ps -> ps.setLong(1, id));
    byId.put(id, new Cached(u, now));
    return u;
  }

  /** The background read of {@link #findCached}; dropped when a change was made here meanwhile. */
  private void reload(long id) {
    long seen = refresh.changes();
    long at = clock.millis();
    Optional<User> u = queryOne("SELECT " + COLUMNS + " FROM users WHERE id = ?", ps -> ps.setLong(1, id));
    byId.compute(id, (k, old) -> refresh.unchangedSince(seen) ? new Cached(u, at) : old);
  }

  List<User> list() {
    List<User> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users ORDER BY username");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(read(rs));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing users failed", e);
    }
    return out;
  }

  long count() {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM users");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("counting users failed", e);
    }
  }

  /** Inserts a user; false when the name is taken. */
  boolean insert(String username, String hash, String role, boolean mustChange, String language) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO users (username, password_hash, role, "
            + "created_at, must_change_password, language) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, username);
      ps.setString(2, hash);
      ps.setString(3, role);
      ps.setLong(4, clock.millis());
      ps.setBoolean(5, mustChange);
      ps.setString(6, language);
      ps.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (find(username).isPresent()) {
        return false;
      }
      throw new IllegalStateException("creating user " + username + " failed", e);
    }
  }

  /**
   * Runs {@code SET <assignments>, version = version + ?} for one user; {@code bump} ends the
   * user's access tokens. Returns false when the user does not exist.
   */
  boolean update(long id, String assignments, boolean bump, SqlArgs args) {
    String set = assignments.isEmpty() ? "version = version + 1"
        : assignments + (bump ? ", version = version + 1" : "");
    String sql = "UPDATE users SET " + set + " WHERE id = ?";
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int n = args.bind(ps);
      ps.setLong(n + 1, id);
      return changed(id, ps.executeUpdate() > 0);
    } catch (SQLException e) {
      throw new IllegalStateException("updating user " + id + " failed", e);
    }
  }

  boolean delete(long id) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
      ps.setLong(1, id);
      return changed(id, ps.executeUpdate() > 0);
    } catch (SQLException e) {
      throw new IllegalStateException("deleting user " + id + " failed", e);
    }
  }

  private boolean changed(long id, boolean changed) {
    refresh.changed();
    byId.remove(id);
    if (changed) {
      onChange.accept(id);
    }
    return changed;
  }

  /** Binds statement parameters from 1; returns how many it bound. */
  @FunctionalInterface
  interface SqlArgs {
    int bind(PreparedStatement ps) throws SQLException;
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private Optional<User> queryOne(String sql, Binder binder) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading user failed", e);
    }
  }

  private static User read(ResultSet rs) throws SQLException {
    return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
        rs.getBoolean(6), rs.getString(7), rs.getLong(8), rs.getString(9), rs.getBoolean(10), rs.getLong(11),
        new java.util.HashSet<>(Roles.split(rs.getString(12))), new java.util.HashSet<>(Roles.split(rs.getString(13))),
        rs.getString(14), Scopes.split(rs.getString(15)));
  }
}
