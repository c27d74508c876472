package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The table of client certificates issued to nodes (serial, node, key, validity, revocation). */
final class NodeCertificates {
  static final int MAX_LISTED = 10_000;

  record Row(String serial, String nodeId, String publicKeySha256, long issuedAt, long notAfter, Long revokedAt) {
    Map<String, Object> toView() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("serial", serial);
      m.put("nodeId", nodeId);
      m.put("publicKeySha256", publicKeySha256);
      m.put("issuedAt", issuedAt);
      m.put("notAfter", notAfter);
      m.put("revokedAt", revokedAt);
      return m;
    }
  }

  private static final String COLUMNS = "serial, node_id, public_key_sha256, issued_at, not_after, revoked_at";

  private final Clock clock;

  NodeCertificates(DataSource db, Clock clock) {
    requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  void insert(Connection c, String nodeId, NodeCertificateIssuer.Issued cert) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO node_certificates (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, NULL)")) {
      ps.setString(1, cert.serial());
      ps.setString(2, nodeId);
      ps.setString(3, cert.publicKeySha256());
      ps.setLong(4, clock.millis());
      ps.setLong(5, cert.notAfter());
      ps.executeUpdate();
    }
  }

  Row find(Connection c, String serial) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM node_certificates WHERE serial = ?")) {
      ps.setString(1, serial);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  /** True when the node has a live (unrevoked, unexpired) certificate over this public key. */
  boolean hasLiveKey(Connection c, String nodeId, String publicKeySha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM node_certificates WHERE node_id = ? AND "
        + "public_key_sha256 = ? AND revoked_at IS NULL AND not_after > ?")) {
      ps.setString(1, nodeId);
      ps.setString(2, publicKeySha256);
      ps.setLong(3, clock.millis());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Revokes a live serial; returns its node id, or null when there is no such live serial. */
  String revoke(Connection c, String serial) throws SQLException {
    Row r = find(c, serial);
    if (r == null || r.revokedAt() != null) {
      return null;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE node_certificates SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL")) {
      ps.setLong(1, clock.millis());
      ps.setString(2, serial);
      return ps.executeUpdate() > 0 ? r.nodeId() : null;
    }
  }

  List<Map<String, Object>> list(Connection c, String nodeId) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM node_certificates"
        + (nodeId == null ? "" : " WHERE node_id = ?") + " ORDER BY issued_at DESC, serial")) {
      if (nodeId != null) {
        ps.setString(1, nodeId);
      }
      ps.setMaxRows(MAX_LISTED);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs).toView());
        }
      }
    }
    return out;
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
        EnrollmentTokens.nullableLong(rs, 6));
  }
}
