package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Server-side sessions behind refresh tokens. A refresh token is {@code <session id>.<secret>};
 * only its SHA-256 is stored and it is replaced on every use, so presenting an already used one
 * (a replay) revokes the whole session. A session ends on logout, "log out everywhere", after
 * {@link #idleTimeout} without activity, or after {@link #MAX_LIFETIME}.
 */
final class Sessions {
  static final Duration MAX_LIFETIME = Duration.ofDays(7);
  static final long CACHE_TTL_MS = 2_000;
  static final long PERSIST_ACTIVITY_EVERY_MS = 60_000;

  /** A new or rotated refresh token. */
  record Issued(String sessionId, long userId, String refreshToken, long expiresAt) {}

  private static final class State {
    final long userId;
    volatile boolean revoked;
    volatile long lastActive;
    volatile long lastPersisted;
    volatile long loadedAt;
    final long expiresAt;

    State(long userId, boolean revoked, long lastActive, long expiresAt, long loadedAt) {
      this.userId = userId;
      this.revoked = revoked;
      this.lastActive = lastActive;
      this.lastPersisted = lastActive;
      this.expiresAt = expiresAt;
      this.loadedAt = loadedAt;
    }
  }

  private final DataSource db;
  private final Clock clock;
  private final Duration idleTimeout;
  private final ConcurrentHashMap<String, State> cache = new ConcurrentHashMap<>();

  private final RefreshAhead refresh;

  Sessions(DataSource db, Clock clock, Duration idleTimeout, RefreshAhead refresh) {
    this.refresh = requireNonNull(refresh, "refresh");
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  Issued create(long userId, String source) {
    String id = Passwords.randomToken().substring(0, 22);
    String token = id + "." + Passwords.randomToken();
    long now = clock.millis();
    long exp = now + MAX_LIFETIME.toMillis();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO sessions (id, user_id, token_hash, source, "
            + "created_at, last_active, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, userId);
      ps.setString(3, Passwords.sha256(token));
      ps.setString(4, source);
      ps.setLong(5, now);
      ps.setLong(6, now);
      ps.setLong(7, exp);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("creating a session failed", e);
    }
    cache.put(id, new State(userId, false, now, exp, now));
    return new Issued(id, userId, token, exp);
  }

  /** Outcome of presenting a refresh token. */
  enum RotateProblem { MALFORMED, UNKNOWN, REPLAYED, ENDED }

  /** Either a new token or why not. */
  record Rotation(Issued issued, RotateProblem problem, long userId) {}

  /** Replaces a refresh token with a new one, or says why it cannot. */
  synchronized Rotation rotate(String refreshToken) {
    int dot = refreshToken == null ? -1 : refreshToken.indexOf('.');
    if (dot <= 0 || refreshToken.length() > 200) {
      return new Rotation(null, RotateProblem.MALFORMED, -1);
    }
    String id = refreshToken.substring(0, dot);
    long now = clock.millis();
    try (Connection c = db.getConnection()) {
      long userId;
      String hash;
      boolean revoked;
      long lastActive;
      long exp;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT user_id, token_hash, revoked, last_active, expires_at FROM sessions WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return new Rotation(null, RotateProblem.UNKNOWN, -1);
          }
          userId = rs.getLong(1);
          hash = rs.getString(2);
          revoked = rs.getBoolean(3);
          lastActive = Math.max(rs.getLong(4), cachedActivity(id));
          exp = rs.getLong(5);
        }
      }
      if (!Passwords.sameDigest(hash, Passwords.sha256(refreshToken))) {
        revoke(id); // an old token came back: someone holds a copy; end the session for both
        return new Rotation(null, RotateProblem.REPLAYED, userId);
      }
      if (revoked || now >= exp || now - lastActive >= idleTimeout.toMillis()) {
        revoke(id);
        return new Rotation(null, RotateProblem.ENDED, userId);
      }
      String token = id + "." + Passwords.randomToken();
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE sessions SET token_hash = ?, last_active = ? WHERE id = ? AND token_hash = ?")) {
        ps.setString(1, Passwords.sha256(token));
        ps.setLong(2, now);
        ps.setString(3, id);
        ps.setString(4, hash);
        if (ps.executeUpdate() == 0) {
          return new Rotation(null, RotateProblem.REPLAYED, userId);
        }
      }
      State s = cache.get(id);
      if (s != null) {
        s.lastActive = now;
        s.lastPersisted = now;
      }
      return new Rotation(new Issued(id, userId, token, exp), null, userId);
    } catch (SQLException e) {
      throw new IllegalStateException("refreshing session " + id + " failed", e);
    }
  }

  private long cachedActivity(String id) {
    State s = cache.get(id);
    return s == null ? 0 : s.lastActive;
  }

  /**
   * True when the session is live for {@code userId} (not revoked, not idle, not expired); records
   * the activity. Reads the database at most every {@link #CACHE_TTL_MS} per session.
   */
  boolean touch(String id, long userId) {
    return touch(id, userId, false);
  }

  /**
   * Like {@link #touch(String, long)}; with {@code cachedOnly}, never reads or writes the
   * database: null when the cached state is missing or stale or the activity is due to be
   * persisted (then nothing is recorded).
   */
  Boolean touch(String id, long userId, boolean cachedOnly) {
    long now = clock.millis();
    State s = cache.get(id);
    if (s == null || now - s.loadedAt >= CACHE_TTL_MS || now < s.loadedAt) {
      if (cachedOnly) {
        return null;
      }
      State fresh = load(id, now);
      if (fresh == null) {
        cache.remove(id);
        return false;
      }
      if (s != null) {
        fresh.lastActive = Math.max(fresh.lastActive, s.lastActive);
        fresh.lastPersisted = s.lastPersisted;
      }
      cache.put(id, fresh);
      s = fresh;
    }
    if (s.revoked || s.userId != userId || now >= s.expiresAt || now - s.lastActive >= idleTimeout.toMillis()) {
      return false;
    }
    boolean persist = now - s.lastPersisted >= PERSIST_ACTIVITY_EVERY_MS;
    if (cachedOnly) {
      // Activity due to be recorded and a state past half its lifetime are written and read in
      // the background; when that cannot be queued, the blocking path does it.
      if (persist && !refresh.submit("session activity " + id,
          () -> execute("UPDATE sessions SET last_active = ? WHERE id = ?", now, id))) {
        return null;
      }
      if (RefreshAhead.due(now, s.loadedAt, CACHE_TTL_MS)) {
        refresh.submit("session " + id, () -> reload(id));
      }
    } else if (persist) {
      execute("UPDATE sessions SET last_active = ? WHERE id = ?", now, id);
    }
    s.lastActive = now;
    if (persist) {
      s.lastPersisted = now;
    }
    return true;
  }

  /**
   * The background read of {@link #touch}: the session's row again, keeping the activity seen
   * here; dropped when a change was made on this instance meanwhile (a revocation must not be
   * undone by a read from before it).
   */
  private void reload(String id) {
    long seen = refresh.changes();
    State fresh = load(id, clock.millis());
    cache.computeIfPresent(id, (k, old) -> {
      if (!refresh.unchangedSince(seen)) {
        return old;
      }
      if (fresh == null) {
        return null;
      }
      fresh.lastActive = Math.max(fresh.lastActive, old.lastActive);
      fresh.lastPersisted = Math.max(fresh.lastPersisted, old.lastPersisted);
      return fresh;
    });
  }

  private State load(String id, long now) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT user_id, revoked, last_active, expires_at FROM sessions WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new State(rs.getLong(1), rs.getBoolean(2), rs.getLong(3), rs.getLong(4), now) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading session " + id + " failed", e);
    }
  }

  void revoke(String id) {
    execute("UPDATE sessions SET revoked = TRUE WHERE id = ?", null, id);
    refresh.changed();
    State s = cache.get(id);
    if (s != null) {
      s.revoked = true;
    }
  }

  /** Ends every session of a user; returns how many were live. */
  int revokeAll(long userId) {
    int n;
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE sessions SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE")) {
      ps.setLong(1, userId);
      n = ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("ending sessions of user " + userId + " failed", e);
    }
    refresh.changed();
    cache.values().removeIf(s -> s.userId == userId);
    return n;
  }

  /** Ends every session of a user but {@code keep} (the one that changed the password). */
  void revokeAllExcept(long userId, String keep) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE sessions SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE AND id <> ?")) {
      ps.setLong(1, userId);
      ps.setString(2, keep == null ? "" : keep);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("ending sessions of user " + userId + " failed", e);
    }
    refresh.changed();
    cache.entrySet().removeIf(e -> e.getValue().userId == userId && !e.getKey().equals(keep));
  }

  Optional<Long> userOf(String id) {
    State s = load(id, clock.millis());
    return s == null ? Optional.empty() : Optional.of(s.userId);
  }

  private void execute(String sql, Long first, String id) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (first != null) {
        ps.setLong(i++, first);
      }
      ps.setString(i, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("updating session " + id + " failed", e);
    }
  }
}
