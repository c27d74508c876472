package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Enrollment tokens an admin creates (docs/adr/0006-agent-certificates.md): one-time or reusable,
 * always with an expiry, revocable. Only a SHA-256 of each token is stored; the token text is
 * returned once by {@link #create}. A token only enrolls node ids that have no identity yet.
 */
public final class EnrollmentTokens {
  /** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
  public static final String PREFIX = "sle_";
  public static final Duration MAX_TTL = Duration.ofDays(366);
  static final int MAX_NAME = 128;

  /** A token as an admin sees it (never its text). */
  public record Token(String id, String name, boolean oneTime, long createdAt, String createdBy,
      long expiresAt, long uses, Long lastUsedAt, Long revokedAt) {
    public Map<String, Object> toView() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("name", name);
      m.put("oneTime", oneTime);
      m.put("createdAt", createdAt);
      m.put("createdBy", createdBy);
      m.put("expiresAt", expiresAt);
      m.put("uses", uses);
      m.put("lastUsedAt", lastUsedAt);
      m.put("revokedAt", revokedAt);
      return m;
    }
  }

  /** The outcome of presenting a token: the token's id when accepted, else why not. */
  record Use(String tokenId, String problem) {
    boolean ok() {
      return tokenId != null;
    }
  }

  private final DataSource db;
  private final Clock clock;
  private final AuditLog audit;

  EnrollmentTokens(DataSource db, Clock clock, AuditLog audit) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
    this.audit = requireNonNull(audit, "audit");
  }

  /** Creates a token valid for {@code ttl}; returns the token text (shown once) and its view. */
  public Map.Entry<String, Token> create(String name, boolean oneTime, Duration ttl, String actor, String source) {
    requireNonNull(ttl, "ttl");
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("name: " + (name == null ? "missing" : name.length() + " chars")
          + " (expected: 1-" + MAX_NAME + " characters)");
    }
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("ttl: " + ttl.toSeconds() + "s (expected: > 0 and <= "
          + MAX_TTL.toDays() + " days)");
    }
    String id = Passwords.randomToken().substring(0, 16);
    String text = PREFIX + Passwords.randomToken();
    long now = clock.millis();
    Token t = new Token(id, name, oneTime, now, actor, now + ttl.toMillis(), 0, null, null);
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO enrollment_tokens (id, name, token_hash, one_time, created_at, created_by, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, name);
      ps.setString(3, Passwords.sha256(text));
      ps.setBoolean(4, oneTime);
      ps.setLong(5, now);
      ps.setString(6, actor);
      ps.setLong(7, t.expiresAt());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("creating enrollment token " + name + " failed", e);
    }
    audit.append(actor, "enrollment_token.created", id, source, "name=" + name + " oneTime=" + oneTime
        + " expiresAt=" + t.expiresAt());
    return Map.entry(text, t);
  }

  public List<Token> list() {
    List<Token> out = new ArrayList<>();
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, name, one_time, created_at, created_by, expires_at, uses, last_used_at, revoked_at"
            + " FROM enrollment_tokens ORDER BY created_at, id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Token(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4), rs.getString(5),
            rs.getLong(6), rs.getLong(7), nullableLong(rs, 8), nullableLong(rs, 9)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing enrollment tokens failed", e);
    }
    return out;
  }

  /** Revokes a token; false when there is no such live token. */
  public boolean revoke(String id, String actor, String source) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
      ps.setLong(1, clock.millis());
      ps.setString(2, id);
      if (ps.executeUpdate() == 0) {
        return false;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("revoking enrollment token " + id + " failed", e);
    }
    audit.append(actor, "enrollment_token.revoked", id, source, "");
    return true;
  }

  /** True when {@code token} looks like one of these tokens (not the shared one). */
  static boolean looksLikeOne(String token) {
    return token != null && token.startsWith(PREFIX);
  }

  /**
   * Uses a token once: counts the use, and for a one-time token makes sure it is the only use
   * (the update is conditional, so two enrolments racing on one token cannot both win).
   */
  Use use(Connection c, String token) throws SQLException {
    String id;
    boolean oneTime;
    long expiresAt;
    long uses;
    Long revokedAt;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, one_time, expires_at, uses, revoked_at FROM enrollment_tokens WHERE token_hash = ?")) {
      ps.setString(1, Passwords.sha256(token));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Use(null, "unknown enrollment token");
        }
        id = rs.getString(1);
        oneTime = rs.getBoolean(2);
        expiresAt = rs.getLong(3);
        uses = rs.getLong(4);
        revokedAt = nullableLong(rs, 5);
      }
    }
    long now = clock.millis();
    if (revokedAt != null) {
      return new Use(null, "enrollment token " + id + " was revoked");
    }
    if (now >= expiresAt) {
      return new Use(null, "enrollment token " + id + " expired");
    }
    if (oneTime && uses > 0) {
      return new Use(null, "one-time enrollment token " + id + " was already used");
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE enrollment_tokens SET uses = uses + 1, last_used_at = ?"
        + " WHERE id = ? AND revoked_at IS NULL AND (one_time = FALSE OR uses = 0)")) {
      ps.setLong(1, now);
      ps.setString(2, id);
      if (ps.executeUpdate() == 0) {
        return new Use(null, "one-time enrollment token " + id + " was already used");
      }
    }
    return new Use(id, null);
  }

  static Long nullableLong(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }
}
