package syslens.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * One identity per node (docs/adr/0003-per-node-credentials.md). The shared enrollment token
 * only enrolls a node id that has no credential yet, once; the node receives a random secret
 * (stored here as SHA-256) and must present it on every later connection. A revoked node id
 * is refused until an admin deletes its credential (which lets it enroll again).
 */
public final class NodeIdentities {
  /** What happened to a Hello. */
  public enum Outcome {
    /** The node presented its own credential. */
    AUTHENTICATED,
    /** A new node id was enrolled; {@link Admission#newSecret()} must be sent to it. */
    ENROLLED,
    /** Wrong or missing credential, wrong token, or the id is already someone's. */
    REFUSED,
    /** The node's credential was revoked by an admin. */
    REVOKED
  }

  /** The decision on one Hello; {@code reason} is safe to send to the agent. */
  public record Admission(Outcome outcome, String newSecret, String reason) {
    public boolean admitted() {
      return outcome == Outcome.AUTHENTICATED || outcome == Outcome.ENROLLED;
    }
  }

  /** A credential as an admin sees it. */
  public record Credential(String nodeId, long enrolledAt, String enrolledFrom, Long revokedAt) {
    public Map<String, Object> toView() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("nodeId", nodeId);
      m.put("enrolledAt", enrolledAt);
      m.put("enrolledFrom", enrolledFrom);
      m.put("revokedAt", revokedAt);
      return m;
    }
  }

  private final DataSource db;
  private final Clock clock;
  private final Supplier<String> enrollmentToken;
  private final AuditLog audit;
  /** Serializes the admissions of one node id (two enrolments of one id cannot both win). */
  private final Object[] admitLocks = new Object[64];
  private final java.util.concurrent.Semaphore admitting = new java.util.concurrent.Semaphore(4);
  private final List<java.util.function.Consumer<String>> revokedListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  NodeIdentities(DataSource db, Clock clock, Supplier<String> enrollmentToken, AuditLog audit) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
    this.enrollmentToken = requireNonNull(enrollmentToken, "enrollmentToken");
    this.audit = requireNonNull(audit, "audit");
    for (int i = 0; i < admitLocks.length; i++) {
      admitLocks[i] = new Object();
    }
  }

  /**
   * Decides on a Hello: the node's own secret if it has a credential, else the enrollment token
   * (which then creates the credential). Serialized per node id so two enrolments of one id cannot
   * both win.
   */
  public Admission admit(String nodeId, String secret, String token, String source) {
    requireNonNull(nodeId, "nodeId");
    // Per node id, not one lock for all: 10,000 agents reconnecting after a server restart check
    // their credentials in parallel (one lock: ~15 Hellos/s on the 2-core bench machine).
    // At most a few at once: each holds a pooled connection and may need a second one for the
    // audit entry; thousands of Hellos at once would otherwise take every connection of the pool
    // and wait for one another until the pool's login timeout.
    admitting.acquireUninterruptibly();
    try {
      synchronized (admitLocks[Math.floorMod(nodeId.hashCode(), admitLocks.length)]) {
        return admitLocked(nodeId, secret, token, source);
      }
    } finally {
      admitting.release();
    }
  }

  private Admission admitLocked(String nodeId, String secret, String token, String source) {
    try (Connection c = db.getConnection()) {
      String hash = null;
      Long revokedAt = null;
      boolean exists;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT secret_hash, revoked_at FROM node_credentials WHERE node_id = ?")) {
        ps.setString(1, nodeId);
        try (ResultSet rs = ps.executeQuery()) {
          exists = rs.next();
          if (exists) {
            hash = rs.getString(1);
            long r = rs.getLong(2);
            revokedAt = rs.wasNull() ? null : r;
          }
        }
      }
      if (exists) {
        if (revokedAt != null) {
          audit.append("node:" + nodeId, "node.refused", nodeId, source, "credential revoked");
          return new Admission(Outcome.REVOKED, null, "node " + nodeId
              + ": credential revoked by an administrator (expected: an admin deletes the revoked credential"
              + " before the node may enroll again)");
        }
        if (secret == null || secret.isEmpty() || !Passwords.sameDigest(hash, Passwords.sha256(secret))) {
          audit.append("node:" + nodeId, "node.refused", nodeId, source,
              secret == null || secret.isEmpty() ? "no node credential presented" : "wrong node credential");
          return new Admission(Outcome.REFUSED, null, "node " + nodeId + " is enrolled: its credential "
              + (secret == null || secret.isEmpty() ? "is missing" : "does not match")
              + " (expected: the secret the node received at enrollment, kept in its state directory)");
        }
        return new Admission(Outcome.AUTHENTICATED, null, null);
      }
      String expected = enrollmentToken.get();
      if (token == null || expected == null || !MessageDigest.isEqual(
          token.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
        audit.append("node:" + nodeId, "node.enroll_refused", nodeId, source, "wrong enrollment token");
        return new Admission(Outcome.REFUSED, null,
            "enrollment token rejected (expected: the server's token, see <data>/secrets/enrollment-token)");
      }
      String newSecret = Passwords.randomToken();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO node_credentials (node_id, secret_hash, "
          + "enrolled_at, enrolled_from) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, nodeId);
        ps.setString(2, Passwords.sha256(newSecret));
        ps.setLong(3, clock.millis());
        ps.setString(4, source);
        ps.executeUpdate();
      }
      audit.append("node:" + nodeId, "node.enrolled", nodeId, source, "new node credential issued");
      return new Admission(Outcome.ENROLLED, newSecret, null);
    } catch (SQLException e) {
      throw new IllegalStateException("checking the credential of node " + nodeId + " failed", e);
    }
  }

  /** Revokes a node's credential; false when the node has none. */
  public boolean revoke(String nodeId, String actor, String source) {
    boolean done = update("UPDATE node_credentials SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL",
        clock.millis(), nodeId);
    if (done) {
      audit.append(actor, "node.revoked", nodeId, source, "");
      revokedListeners.forEach(l -> l.accept(nodeId));
    }
    return done;
  }

  /**
   * Called with the node id after a revocation (e.g. to close the node's open streams at once;
   * a new stream is refused at its Hello regardless).
   */
  public void onRevoked(java.util.function.Consumer<String> listener) {
    revokedListeners.add(requireNonNull(listener, "listener"));
  }

  /** Deletes a node's credential so the id may enroll again; false when there is none. */
  public boolean forget(String nodeId, String actor, String source) {
    boolean done = update("DELETE FROM node_credentials WHERE node_id = ?", null, nodeId);
    if (done) {
      audit.append(actor, "node.credential_deleted", nodeId, source, "");
    }
    return done;
  }

  public List<Credential> list() {
    List<Credential> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT node_id, enrolled_at, enrolled_from, revoked_at "
            + "FROM node_credentials ORDER BY node_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long r = rs.getLong(4);
        out.add(new Credential(rs.getString(1), rs.getLong(2), rs.getString(3), rs.wasNull() ? null : r));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing node credentials failed", e);
    }
    return out;
  }

  private boolean update(String sql, Long first, String nodeId) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (first != null) {
        ps.setLong(i++, first);
      }
      ps.setString(i, nodeId);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("updating the credential of node " + nodeId + " failed", e);
    }
  }
}
