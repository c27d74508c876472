package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * API keys for machines (Grafana, scripts): {@code slk_<id>_<secret>}, shown once, stored as
 * SHA-256, scoped to a subset of the owner's permissions, optionally expiring, revocable, with
 * the last use recorded (at most once a minute).
 */
final class ApiKeys {
  static final String PREFIX = "slk_";
  static final int MAX_KEYS_PER_USER = 50;
  /** How long a key's state is trusted without reading it again (as users and sessions). */
  static final long CACHE_TTL_MS = 2_000;
  private static final int MAX_CACHED = 10_000;

  /** A key as listed (never the secret). */
  record Key(String id, long userId, String name, Set<String> scopes, long createdAt, Long expiresAt,
      Long lastUsed, boolean revoked) {
    Map<String, Object> toView() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("name", name);
      m.put("scopes", new java.util.TreeSet<>(scopes));
      m.put("createdAt", createdAt);
      m.put("expiresAt", expiresAt);
      m.put("lastUsed", lastUsed);
      m.put("revoked", revoked);
      return m;
    }
  }

  private final DataSource db;
  private final Clock clock;
  private final ConcurrentHashMap<String, Long> lastPersistedUse = new ConcurrentHashMap<>();
  /** Key id -> its row and hash as last read; only keys that exist (bounded by the table). */
  private final ConcurrentHashMap<String, Stored> cache = new ConcurrentHashMap<>();

  /** A key's row and hash as read at {@code loadedAt}. */
  private record Stored(Key key, String hash, long loadedAt) {}

  private final RefreshAhead refresh;

  ApiKeys(DataSource db, Clock clock, RefreshAhead refresh) {
    this.refresh = requireNonNull(refresh, "refresh");
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Creates a key; returns the full key text (shown once) and its listing. */
  Map.Entry<String, Key> create(long userId, String name, Set<String> scopes, Long expiresAt) {
    if (list(userId).stream().filter(k -> !k.revoked()).count() >= MAX_KEYS_PER_USER) {
      throw new IllegalArgumentException("api keys: " + MAX_KEYS_PER_USER + " live keys already (expected: "
          + "revoke one first)");
    }
    String id = Passwords.randomToken().substring(0, 12).replace('-', 'x').replace('_', 'y');
    String key = PREFIX + id + "_" + Passwords.randomToken();
    long now = clock.millis();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (id, user_id, name, key_hash, scopes, "
            + "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, userId);
      ps.setString(3, name);
      ps.setString(4, Passwords.sha256(key));
      ps.setString(5, String.join(" ", new java.util.TreeSet<>(scopes)));
      ps.setLong(6, now);
      if (expiresAt == null) {
        ps.setNull(7, java.sql.Types.BIGINT);
      } else {
        ps.setLong(7, expiresAt);
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("creating an API key failed", e);
    }
    return Map.entry(key, new Key(id, userId, name, scopes, now, expiresAt, null, false));
  }

  /** The live key with this text, or empty (unknown, revoked, expired). Records its use. */
  Optional<Key> authenticate(String key) {
    return authenticate(key, false);
  }

  /**
   * Like {@link #authenticate(String)}; with {@code cachedOnly}, never reads or writes the
   * database: null when the key's cached state is missing or stale or its use is due to be
   * recorded. A key's state is cached for at most {@link #CACHE_TTL_MS} (as users and sessions
   * are) and dropped at once when it is revoked here.
   */
  Optional<Key> authenticate(String key, boolean cachedOnly) {
    if (key == null || !key.startsWith(PREFIX) || key.length() > 100) {
      return Optional.empty();
    }
    int sep = key.indexOf('_', PREFIX.length());
    if (sep < 0) {
      return Optional.empty();
    }
    String id = key.substring(PREFIX.length(), sep);
    long now = clock.millis();
    Stored st = cache.get(id);
    if (st == null || now - st.loadedAt() >= CACHE_TTL_MS || now < st.loadedAt()) {
      if (cachedOnly) {
        return null;
      }
      st = load(id, now);
      if (st == null) {
        cache.remove(id);
        return Optional.empty();
      }
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(id, st);
    }
    Key k = st.key();
    if (k.revoked() || (k.expiresAt() != null && now >= k.expiresAt())
        || !Passwords.sameDigest(st.hash(), Passwords.sha256(key))) {
      return Optional.empty();
    }
    Long last = lastPersistedUse.get(id);
    if (last == null || now - last >= 60_000) {
      if (!cachedOnly) {
        execute("UPDATE api_keys SET last_used = ? WHERE id = ?", now, id);
      } else if (!refresh.submit("key use " + id, () -> execute("UPDATE api_keys SET last_used = ? WHERE id = ?", now,
          id))) {
        return null;
      }
      lastPersistedUse.put(id, now);
    }
    if (cachedOnly && RefreshAhead.due(now, st.loadedAt(), CACHE_TTL_MS)) {
      refresh.submit("key " + id, () -> reload(id));
    }
    return Optional.of(k);
  }

  /** The background read of {@link #authenticate}; dropped when a change was made here meanwhile. */
  private void reload(String id) {
    long seen = refresh.changes();
    Stored fresh = load(id, clock.millis());
    cache.computeIfPresent(id, (k, old) -> refresh.unchangedSince(seen) ? fresh : old);
  }

  /** A key's row with its hash, as cached; null when there is no such key. */
  private Stored load(String id, long now) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, user_id, name, scopes, created_at, expires_at, "
            + "last_used, revoked, key_hash FROM api_keys WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Stored(read(rs), rs.getString(9), now) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading API key failed", e);
    }
  }

  List<Key> list(long userId) {
    List<Key> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, user_id, name, scopes, created_at, expires_at, "
            + "last_used, revoked FROM api_keys WHERE user_id = ? ORDER BY created_at")) {
      ps.setLong(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing API keys failed", e);
    }
    return out;
  }

  Optional<Key> find(String id) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, user_id, name, scopes, created_at, expires_at, "
            + "last_used, revoked FROM api_keys WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading API key failed", e);
    }
  }

  boolean revoke(String id) {
    boolean done = execute("UPDATE api_keys SET revoked = TRUE WHERE id = ? AND revoked = FALSE", null, id);
    refresh.changed();
    cache.remove(id);
    return done;
  }

  void revokeAllOf(long userId) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked = TRUE WHERE user_id = ?")) {
      ps.setLong(1, userId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("revoking API keys failed", e);
    } finally {
      refresh.changed();
      cache.values().removeIf(st -> st.key().userId() == userId);
    }
  }

  private boolean execute(String sql, Long first, String id) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (first != null) {
        ps.setLong(i++, first);
      }
      ps.setString(i, id);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("updating API key " + id + " failed", e);
    }
  }

  private static Key read(ResultSet rs) throws SQLException {
    long exp = rs.getLong(6);
    Long expiresAt = rs.wasNull() ? null : exp;
    long used = rs.getLong(7);
    Long lastUsed = rs.wasNull() ? null : used;
    return new Key(rs.getString(1), rs.getLong(2), rs.getString(3), new HashSet<>(Roles.split(rs.getString(4))),
        rs.getLong(5), expiresAt, lastUsed, rs.getBoolean(8));
  }
}
