package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Optional;
import syslens.vsphere.guest.GuestCredential;
import syslens.vsphere.guest.GuestRepository;

/**
 * Guest credentials in the metadata database (secrets only as sealed by the master key, inside
 * the {@code settings} JSON document) and the SSH host keys pinned per VM node.
 */
public final class GuestCredentialStore implements GuestRepository {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MetaStore db;
  private final Clock clock;

  public GuestCredentialStore(MetaStore db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public List<GuestCredential> list() {
    List<GuestCredential> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT id, name, kind, settings, enabled FROM guest_credentials ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(read(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("listing guest credentials failed", e);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static GuestCredential read(String id, String name, String kind, String settings, boolean enabled)
      throws JsonProcessingException {
    Map<String, Object> s = JSON.readValue(settings, Map.class);
    GuestCredential.Selector sel = new GuestCredential.Selector((String) s.get("vms"),
        (Map<String, String>) s.get("labels"), (String) s.get("address"));
    return new GuestCredential(id, name, GuestCredential.Kind.valueOf(kind), sel, (String) s.get("connectAddress"),
        ((Number) s.getOrDefault("port", 0)).intValue(), (String) s.get("user"), (String) s.get("passwordSealed"),
        (String) s.get("privateKeySealed"), (Boolean) s.getOrDefault("https", true), (String) s.get("pinnedSha256"),
        (List<String>) s.get("command"), Duration.ofMillis(((Number) s.get("timeoutMs")).longValue()), enabled);
  }

  private static String settings(GuestCredential g) throws JsonProcessingException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("vms", g.selector().vmGlob());
    s.put("labels", g.selector().labels());
    s.put("address", g.selector().address());
    s.put("connectAddress", g.connectAddress());
    s.put("port", g.port());
    s.put("user", g.user());
    s.put("passwordSealed", g.sealedPassword());
    s.put("privateKeySealed", g.sealedPrivateKey());
    s.put("https", g.https());
    s.put("pinnedSha256", g.pinnedSha256());
    s.put("command", g.command());
    s.put("timeoutMs", g.timeout().toMillis());
    return JSON.writeValueAsString(s);
  }

  @Override
  public void save(GuestCredential g) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM guest_credentials WHERE id=?");
          PreparedStatement ins = c.prepareStatement("INSERT INTO guest_credentials (id, name, kind, settings, enabled,"
              + " updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        del.setString(1, g.id());
        del.executeUpdate();
        ins.setString(1, g.id());
        ins.setString(2, g.name());
        ins.setString(3, g.kind().name());
        ins.setString(4, settings(g));
        ins.setBoolean(5, g.enabled());
        ins.setLong(6, clock.millis());
        ins.executeUpdate();
        c.commit();
      } catch (SQLException | JsonProcessingException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("saving guest credential " + g.name() + " failed", e);
    }
  }

  @Override
  public boolean delete(String id) {
    return update("DELETE FROM guest_credentials WHERE id=?", id) > 0;
  }

  @Override
  public Optional<String> hostKey(String nodeId) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT fingerprint FROM guest_host_keys WHERE node_id=?")) {
      ps.setString(1, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the host key of " + nodeId + " failed", e);
    }
  }

  @Override
  public void pinHostKey(String nodeId, String fingerprint) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO guest_host_keys (node_id, fingerprint, pinned_at)"
            + " VALUES (?, ?, ?)")) {
      ps.setString(1, nodeId);
      ps.setString(2, fingerprint);
      ps.setLong(3, clock.millis());
      ps.executeUpdate();
    } catch (SQLException e) {
      // A concurrent first use pinned it already: the first pin stands (the next connection compares).
      if (hostKey(nodeId).isEmpty()) {
        throw new IllegalStateException("pinning the host key of " + nodeId + " failed", e);
      }
    }
  }

  @Override
  public boolean forgetHostKey(String nodeId) {
    return update("DELETE FROM guest_host_keys WHERE node_id=?", nodeId) > 0;
  }

  private int update(String sql, String arg) {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }
}
