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
 * One identity per node (docs/adr/0003-per-node-credentials.md, docs/adr/0006-agent-certificates.md).
 * An enrollment token (an admin-created one, or the installation's shared token until it is turned
 * off) only enrolls a node id that has no identity yet. A node that sends a certificate signing
 * request receives a client certificate from the server's CA bound to its node id and uses mutual
 * TLS from then on; an older agent receives a random secret (stored here as SHA-256) unless
 * certificates are required. A revoked node id or certificate is refused until an admin deletes
 * the node's credential (which lets it enroll again).
 */
public final class NodeIdentities {
  /** What happened to a Hello. */
  public enum Outcome {
    /** The node presented its own credential (certificate or secret). */
    AUTHENTICATED,
    /** A new node id was enrolled; a new secret or certificate must be sent to it. */
    ENROLLED,
    /** Wrong or missing credential, wrong token, or the id is already someone's. */
    REFUSED,
    /** The node's credential or certificate was revoked by an admin. */
    REVOKED
  }

  /** The client certificate a connection presented (already verified against the CA by TLS). */
  public record PresentedCertificate(String nodeId, String serial) {}

  /**
   * What a Hello claims: the node id, the verified client certificate (or null), the legacy
   * secret, an enrollment token, a PKCS#10 request (empty: none), and the peer address.
   */
  public record Attempt(String nodeId, PresentedCertificate certificate, String secret, String token, byte[] csr,
      String source) {
    public Attempt {
      requireNonNull(nodeId, "nodeId");
      csr = csr == null ? new byte[0] : csr;
      source = source == null ? "unknown" : source;
    }
  }

  /**
   * The decision on one Hello; {@code reason} is safe to send to the agent. When
   * {@code certificate} is set, the node must receive it and reconnect with it.
   */
  public record Admission(Outcome outcome, String newSecret, byte[] certificate, String reason) {
    public boolean admitted() {
      return outcome == Outcome.AUTHENTICATED || outcome == Outcome.ENROLLED;
    }

    static Admission refused(Outcome o, String reason) {
      return new Admission(o, null, null, reason);
    }
  }

  /** A credential as an admin sees it. */
  public record Credential(String nodeId, long enrolledAt, String enrolledFrom, Long revokedAt, String kind) {
    public Map<String, Object> toView() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("nodeId", nodeId);
      m.put("enrolledAt", enrolledAt);
      m.put("enrolledFrom", enrolledFrom);
      m.put("revokedAt", revokedAt);
      m.put("kind", kind);
      return m;
    }
  }

  /** The node credentials table marks certificate-only nodes with this (never a SHA-256). */
  static final String NO_SECRET = "certificate";

  private final DataSource db;
  private final Clock clock;
  private final Supplier<String> enrollmentToken;
  private final AuditLog audit;
  private final EnrollmentTokens tokens;
  private final NodeCertificates certificates;
  private final NodeCertificateIssuer issuer;
  private final boolean sharedTokenEnabled;
  private final boolean requireCertificates;
  /** Serializes the admissions of one node id (two enrolments of one id cannot both win). */
  private final Object[] admitLocks = new Object[64];
  /**
   * Admissions at once. Each holds a pooled metadata connection (16 in the server) and its audit
   * record needs the audit writer's one more (records of concurrent admissions are written in one
   * transaction), so 8 leave connections for the registry, sequences and the API.
   */
  static final int MAX_ADMITTING = 8;
  private final java.util.concurrent.Semaphore admitting = new java.util.concurrent.Semaphore(MAX_ADMITTING);
  private final List<java.util.function.Consumer<String>> revokedListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<java.util.function.BiConsumer<String, String>> certificateListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  NodeIdentities(DataSource db, Clock clock, Supplier<String> enrollmentToken, AuditLog audit,
      EnrollmentTokens tokens, NodeCertificateIssuer issuer, boolean sharedTokenEnabled,
      boolean requireCertificates) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
    this.enrollmentToken = requireNonNull(enrollmentToken, "enrollmentToken");
    this.audit = requireNonNull(audit, "audit");
    this.tokens = requireNonNull(tokens, "tokens");
    this.certificates = new NodeCertificates(db, clock);
    this.issuer = issuer;
    this.sharedTokenEnabled = sharedTokenEnabled;
    this.requireCertificates = requireCertificates;
    if (requireCertificates && issuer == null) {
      throw new IllegalArgumentException("requireAgentCertificates: true without a CA to issue them "
          + "(expected: the self-managed CA with its key in <data>/tls)");
    }
    for (int i = 0; i < admitLocks.length; i++) {
      admitLocks[i] = new Object();
    }
  }

  /** True when nodes must use client certificates (no secrets, no enrolment without a CSR). */
  public boolean requiresCertificates() {
    return requireCertificates;
  }

  /** As {@link #admit(Attempt)} for an agent without certificate support (tests, old agents). */
  public Admission admit(String nodeId, String secret, String token, String source) {
    return admit(new Attempt(nodeId, null, secret, token, null, source));
  }

  /**
   * Decides on a Hello: the node's certificate if it presented one, else its secret if it has a
   * credential, else the enrollment token (which then creates the credential). Serialized per node
   * id so two enrolments of one id cannot both win (a one-time token is taken by one conditional
   * update, so two nodes racing on it cannot both win either).
   */
  public Admission admit(Attempt a) {
    requireNonNull(a, "attempt");
    // Per node id, not one lock for all: 10,000 agents reconnecting after a server restart check
    // their credentials in parallel (one lock: ~15 Hellos/s on the 2-core bench machine).
    // At most a few at once: each holds a pooled connection and may need the audit writer's for
    // its entry; thousands of Hellos at once would otherwise take every connection of the pool
    // and wait for one another until the pool's login timeout.
    admitting.acquireUninterruptibly();
    try {
      synchronized (admitLocks[Math.floorMod(a.nodeId().hashCode(), admitLocks.length)]) {
        return admitLocked(a);
      }
    } finally {
      admitting.release();
    }
  }

  private Admission admitLocked(Attempt a) {
    String nodeId = a.nodeId();
    String actor = "node:" + nodeId;
    try (Connection c = db.getConnection()) {
      Stored cred = load(c, nodeId);
      if (a.certificate() != null) {
        return admitCertificate(c, a, cred);
      }
      if (cred != null) {
        if (cred.revokedAt != null) {
          audit.append(actor, "node.refused", nodeId, a.source(), "credential revoked");
          return revokedAdmission(nodeId);
        }
        if (a.csr().length > 0 && issuer != null && NO_SECRET.equals(cred.secretHash)) {
          return reissueForKey(c, a); // the node lost its certificate file but still holds its key
        }
        if (requireCertificates && (a.csr().length == 0 || NO_SECRET.equals(cred.secretHash))) {
          // A node's secret is then good only for exchanging it for a certificate (stream ends after).
          audit.append(actor, "node.refused", nodeId, a.source(), "no client certificate presented");
          return Admission.refused(Outcome.REFUSED, "node " + nodeId + " is enrolled: this server requires its"
              + " client certificate (expected: the agent's node.crt/node.key from its state directory)");
        }
        String secret = a.secret();
        if (secret == null || secret.isEmpty() || !Passwords.sameDigest(cred.secretHash, Passwords.sha256(secret))) {
          boolean none = secret == null || secret.isEmpty();
          audit.append(actor, "node.refused", nodeId, a.source(), none ? "no node credential presented"
              : "wrong node credential");
          return Admission.refused(Outcome.REFUSED, "node " + nodeId + " is enrolled: its credential "
              + (none ? "is missing" : "does not match")
              + " (expected: the client certificate or secret the node received at enrollment, kept in its state"
              + " directory)");
        }
        if (a.csr().length > 0 && issuer != null) {
          // An agent enrolled with a secret moves to a certificate; the secret stops working.
          Admission adm = issue(c, a, Outcome.AUTHENTICATED, "node.certificate_issued",
              "secret exchanged for a certificate");
          if (adm.certificate() != null) {
            try (PreparedStatement ps = c.prepareStatement(
                "UPDATE node_credentials SET secret_hash = ? WHERE node_id = ?")) {
              ps.setString(1, NO_SECRET);
              ps.setString(2, nodeId);
              ps.executeUpdate();
            }
          }
          return adm;
        }
        return new Admission(Outcome.AUTHENTICATED, null, null, null);
      }
      if (a.csr().length > 0 && issuer != null) {
        try {
          issuer.verifiedKey(a.csr()); // before the token is used: a bad request must not burn a one-time token
        } catch (IllegalArgumentException e) {
          audit.append(actor, "node.enroll_refused", nodeId, a.source(), "bad certificate request");
          return Admission.refused(Outcome.REFUSED, "csr: " + e.getMessage());
        }
      }
      boolean withCertificate = a.csr().length > 0 && issuer != null;
      if (requireCertificates && !withCertificate) { // checked before a one-time token is used up
        audit.append(actor, "node.enroll_refused", nodeId, a.source(), "no certificate signing request");
        return Admission.refused(Outcome.REFUSED, "enrollment refused: this server requires client certificates"
            + " and the agent sent no certificate signing request (expected: an agent of version 0.2 or later)");
      }
      EnrollmentTokens.Use use = checkToken(c, a.token());
      if (!use.ok()) {
        audit.append(actor, "node.enroll_refused", nodeId, a.source(), use.problem());
        return Admission.refused(Outcome.REFUSED, "enrollment refused: " + use.problem() + " (expected: a live token"
            + " from POST /api/v1/enrollment-tokens" + (sharedTokenEnabled ? " or the server's shared token in"
            + " <data>/secrets/enrollment-token" : "") + ")");
      }
      String via = "; enrolled with " + (use.tokenId().isEmpty() ? "the shared token" : "token " + use.tokenId());
      if (withCertificate) {
        insertCredential(c, nodeId, NO_SECRET, a.source());
        Admission adm = issue(c, a, Outcome.ENROLLED, "node.enrolled", "client certificate issued" + via);
        if (!adm.admitted()) {
          delete(c, nodeId);
        }
        return adm;
      }
      String newSecret = Passwords.randomToken();
      insertCredential(c, nodeId, Passwords.sha256(newSecret), a.source());
      audit.append(actor, "node.enrolled", nodeId, a.source(), "new node credential issued" + via);
      return new Admission(Outcome.ENROLLED, newSecret, null, null);
    } catch (SQLException e) {
      throw new IllegalStateException("checking the credential of node " + nodeId + " failed", e);
    }
  }

  private Admission admitCertificate(Connection c, Attempt a, Stored cred) throws SQLException {
    String nodeId = a.nodeId();
    PresentedCertificate pc = a.certificate();
    if (!nodeId.equals(pc.nodeId())) {
      audit.append("node:" + (pc.nodeId() == null ? "?" : pc.nodeId()), "node.identity_mismatch", nodeId,
          a.source(), "certificate " + pc.serial() + " is for node " + pc.nodeId());
      return Admission.refused(Outcome.REFUSED, "client certificate " + pc.serial() + " is for node "
          + pc.nodeId() + ", not " + nodeId + " (expected: a node writes only under its own id)");
    }
    NodeCertificates.Row row = certificates.find(c, pc.serial());
    if (row == null || !row.nodeId().equals(nodeId) || cred == null) {
      audit.append("node:" + nodeId, "node.refused", nodeId, a.source(), "unknown certificate " + pc.serial());
      return Admission.refused(Outcome.REFUSED, "client certificate " + pc.serial() + " is not known for node "
          + nodeId + " (expected: a certificate this server issued to the node and did not forget)");
    }
    if (cred.revokedAt != null || row.revokedAt() != null) {
      audit.append("node:" + nodeId, "node.refused", nodeId, a.source(), "certificate " + pc.serial() + " revoked");
      return Admission.refused(Outcome.REVOKED, "client certificate " + pc.serial() + " of node " + nodeId
          + " was revoked by an administrator (expected: an admin deletes the node's credential before it may"
          + " enroll again)");
    }
    if (a.csr().length > 0 && issuer != null) {
      return issue(c, a, Outcome.AUTHENTICATED, "node.certificate_renewed", "renewed certificate " + pc.serial());
    }
    return new Admission(Outcome.AUTHENTICATED, null, null, null);
  }

  /** A node without its certificate file proves it holds the key of a live certificate of its own. */
  private Admission reissueForKey(Connection c, Attempt a) throws SQLException {
    String nodeId = a.nodeId();
    String key;
    try {
      key = issuer.verifiedKey(a.csr());
    } catch (IllegalArgumentException e) {
      audit.append("node:" + nodeId, "node.refused", nodeId, a.source(), "bad certificate request");
      return Admission.refused(Outcome.REFUSED, "csr: " + e.getMessage());
    }
    if (!certificates.hasLiveKey(c, nodeId, key)) {
      audit.append("node:" + nodeId, "node.refused", nodeId, a.source(), "no client certificate presented");
      return Admission.refused(Outcome.REFUSED, "node " + nodeId + " is enrolled: its client certificate is"
          + " missing (expected: node.crt/node.key from the agent's state directory)");
    }
    return issue(c, a, Outcome.AUTHENTICATED, "node.certificate_issued", "re-issued for the node's key");
  }

  private Admission issue(Connection c, Attempt a, Outcome outcome, String action, String detail)
      throws SQLException {
    NodeCertificateIssuer.Issued cert;
    try {
      cert = issuer.issue(a.nodeId(), a.csr());
    } catch (IllegalArgumentException e) {
      audit.append("node:" + a.nodeId(), "node.refused", a.nodeId(), a.source(), "bad certificate request");
      return Admission.refused(Outcome.REFUSED, "csr: " + e.getMessage());
    }
    certificates.insert(c, a.nodeId(), cert);
    audit.append("node:" + a.nodeId(), action, a.nodeId(), a.source(), detail + "; serial " + cert.serial()
        + ", valid until " + java.time.Instant.ofEpochMilli(cert.notAfter()));
    return new Admission(outcome, null, cert.der(), null);
  }

  /** Whether the token may enroll a new node id: its id ("" for the shared token), else why not. */
  private EnrollmentTokens.Use checkToken(Connection c, String token) throws SQLException {
    if (token == null || token.isEmpty()) {
      return new EnrollmentTokens.Use(null, "no enrollment token");
    }
    if (EnrollmentTokens.looksLikeOne(token)) {
      return tokens.use(c, token);
    }
    String shared = enrollmentToken.get();
    if (shared == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        shared.getBytes(StandardCharsets.UTF_8))) {
      return new EnrollmentTokens.Use(null, "wrong enrollment token");
    }
    return sharedTokenEnabled ? new EnrollmentTokens.Use("", null)
        : new EnrollmentTokens.Use(null, "the shared enrollment token is turned off on this server");
  }

  private static Admission revokedAdmission(String nodeId) {
    return Admission.refused(Outcome.REVOKED, "node " + nodeId + ": credential revoked by an administrator"
        + " (expected: an admin deletes the revoked credential before the node may enroll again)");
  }

  private record Stored(String secretHash, Long revokedAt) {}

  private static Stored load(Connection c, String nodeId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT secret_hash, revoked_at FROM node_credentials WHERE node_id = ?")) {
      ps.setString(1, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Stored(rs.getString(1), EnrollmentTokens.nullableLong(rs, 2)) : null;
      }
    }
  }

  private void insertCredential(Connection c, String nodeId, String secretHash, String source) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO node_credentials (node_id, secret_hash, "
        + "enrolled_at, enrolled_from) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, nodeId);
      ps.setString(2, secretHash);
      ps.setLong(3, clock.millis());
      ps.setString(4, source);
      ps.executeUpdate();
    }
  }

  private static void delete(Connection c, String nodeId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM node_credentials WHERE node_id = ?")) {
      ps.setString(1, nodeId);
      ps.executeUpdate();
    }
  }

  /** Revokes a node's credential; false when the node has none. */
  public boolean revoke(String nodeId, String actor, String source) {
    boolean done = update("UPDATE node_credentials SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL",
        clock.millis(), nodeId);
    if (done) {
      update("UPDATE node_certificates SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL",
          clock.millis(), nodeId);
      audit.append(actor, "node.revoked", nodeId, source, "");
      revokedListeners.forEach(l -> l.accept(nodeId));
    }
    return done;
  }

  /**
   * Revokes one client certificate: a stream open with it is closed at once (listeners) and it is
   * refused at every later Hello. Returns the node id, or null when there is no such live serial.
   */
  public String revokeCertificate(String serial, String actor, String source) {
    requireNonNull(serial, "serial");
    String nodeId;
    try (Connection c = db.getConnection()) {
      nodeId = certificates.revoke(c, serial.toLowerCase(java.util.Locale.ROOT));
    } catch (SQLException e) {
      throw new IllegalStateException("revoking certificate " + serial + " failed", e);
    }
    if (nodeId != null) {
      audit.append(actor, "node.certificate_revoked", nodeId, source, "serial " + serial);
      certificateListeners.forEach(l -> l.accept(nodeId, serial.toLowerCase(java.util.Locale.ROOT)));
    }
    return nodeId;
  }

  /** Called with the node id and serial after one certificate was revoked. */
  public void onCertificateRevoked(java.util.function.BiConsumer<String, String> listener) {
    certificateListeners.add(requireNonNull(listener, "listener"));
  }

  /** The certificates issued to nodes (all nodes when {@code nodeId} is null), newest first. */
  public List<Map<String, Object>> certificates(String nodeId) {
    try (Connection c = db.getConnection()) {
      return certificates.list(c, nodeId);
    } catch (SQLException e) {
      throw new IllegalStateException("listing node certificates failed", e);
    }
  }

  /** Enrollment tokens (create, list, revoke). */
  public EnrollmentTokens tokens() {
    return tokens;
  }

  /**
   * Called with the node id after a revocation (e.g. to close the node's open streams at once;
   * a new stream is refused at its Hello regardless).
   */
  public void onRevoked(java.util.function.Consumer<String> listener) {
    revokedListeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Takes back an enrolment whose reply cannot reach the node (its stream was gone before the new
   * secret or certificate was sent): the node still holds only its token, so it may enroll again
   * instead of being refused as "enrolled" for good. Only for an admission that enrolled
   * ({@link Outcome#ENROLLED}: the id had no credential before it, so everything under the id is
   * that enrolment's). Audited; false when there was nothing to take back.
   */
  public boolean undoEnrollment(String nodeId, Admission enrolled, String source) {
    requireNonNull(nodeId, "nodeId");
    if (requireNonNull(enrolled, "enrolled").outcome() != Outcome.ENROLLED) {
      throw new IllegalArgumentException("admission: " + enrolled.outcome() + " (expected: ENROLLED)");
    }
    boolean done;
    synchronized (admitLocks[Math.floorMod(nodeId.hashCode(), admitLocks.length)]) {
      done = update("DELETE FROM node_credentials WHERE node_id = ? AND revoked_at IS NULL", null, nodeId);
      if (done) {
        update("DELETE FROM node_certificates WHERE node_id = ?", null, nodeId);
      }
    }
    if (done) {
      audit.append("node:" + nodeId, "node.enroll_undone", nodeId, source,
          "stream closed before the new credential was sent; the node may enroll again");
    }
    return done;
  }

  /** Deletes a node's credential so the id may enroll again; false when there is none. */
  public boolean forget(String nodeId, String actor, String source) {
    boolean done = update("DELETE FROM node_credentials WHERE node_id = ?", null, nodeId);
    if (done) {
      update("DELETE FROM node_certificates WHERE node_id = ?", null, nodeId);
      audit.append(actor, "node.credential_deleted", nodeId, source, "");
    }
    return done;
  }

  public List<Credential> list() {
    List<Credential> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT node_id, enrolled_at, enrolled_from, revoked_at, "
            + "secret_hash FROM node_credentials ORDER BY node_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long r = rs.getLong(4);
        out.add(new Credential(rs.getString(1), rs.getLong(2), rs.getString(3), rs.wasNull() ? null : r,
            NO_SECRET.equals(rs.getString(5)) ? "certificate" : "secret"));
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
