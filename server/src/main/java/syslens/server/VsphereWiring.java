package syslens.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import syslens.server.ingest.NodeRegistry;
import syslens.vsphere.InventoryBoard;
import syslens.vsphere.NodeDirectory;
import syslens.vsphere.StatusBoard;
import syslens.vsphere.VCenterStatus;

/** The vsphere module's node seam over this server's registry (samples: {@code IngestSink}). */
final class VsphereWiring {
  private VsphereWiring() {}

  /** VMs and ESXi hosts join the node registry beside agent nodes. */
  static final class Nodes implements NodeDirectory {
    private final NodeRegistry registry;

    Nodes(NodeRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void upsert(List<Node> nodes) {
      for (Node n : nodes) {
        registry.upsertCollected(n.id(), n.kind(), n.name(), n.os(), n.version(), n.labels(), n.online());
      }
    }
  }

  /**
   * vCenter statuses shared in table {@code vcenter_status} (V12) of the metadata database: the
   * polling instance writes one row per vCenter after each cycle, the others read it.
   */
  static final class Board implements StatusBoard {
    /** An error text longer than this is cut (the row holds at most 8,000 characters). */
    static final int MAX_ERROR = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource db;
    private final Clock clock;

    Board(DataSource db, Clock clock) {
      this.db = requireNonNull(db, "db");
      this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void put(VCenterStatus s) {
      VCenterStatus cut = s.lastError() == null || s.lastError().length() <= MAX_ERROR ? s : new VCenterStatus(s.id(),
          s.name(), s.state(), s.lastError().substring(0, MAX_ERROR) + "…", s.lastInventoryMs(),
          s.inventoryDurationMs(), s.datacenters(), s.clusters(), s.hosts(), s.vms(), s.datastores(), s.lastCycleMs(),
          s.cycleDurationMs(), s.cycleSamples(), s.cycleRejected(), s.cycleFailedQueries(), s.cycles(),
          s.lateCycles(), s.errors(), s.logins(), s.owner());
      try (Connection c = db.getConnection()) {
        String body = JSON.writeValueAsString(cut);
        try (PreparedStatement up = c.prepareStatement(
            "UPDATE vcenter_status SET owner = ?, body = ?, updated_at = ? WHERE vcenter_id = ?")) {
          up.setString(1, s.owner());
          up.setString(2, body);
          up.setLong(3, clock.millis());
          up.setString(4, s.id());
          if (up.executeUpdate() > 0) {
            return;
          }
        }
        try (PreparedStatement ins = c.prepareStatement(
            "INSERT INTO vcenter_status (vcenter_id, owner, body, updated_at) VALUES (?, ?, ?, ?)")) {
          ins.setString(1, s.id());
          ins.setString(2, s.owner());
          ins.setString(3, body);
          ins.setLong(4, clock.millis());
          ins.executeUpdate();
        }
      } catch (SQLException | JsonProcessingException e) {
        throw new IllegalStateException("storing the status of vCenter " + s.id() + " failed", e);
      }
    }

    @Override
    public Optional<VCenterStatus> get(String id) {
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT body FROM vcenter_status WHERE vcenter_id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(JSON.readValue(rs.getString(1), VCenterStatus.class)) : Optional.empty();
        }
      } catch (SQLException | JsonProcessingException e) {
        throw new IllegalStateException("reading the status of vCenter " + id + " failed", e);
      }
    }

    @Override
    public void remove(String id) {
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement("DELETE FROM vcenter_status WHERE vcenter_id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("removing the status of vCenter " + id + " failed", e);
      }
    }
  }

  /**
   * vCenter inventories shared in table {@code vcenter_inventory} (V13): the polling instance
   * writes a vCenter's encoded inventory when it changed, the others read it back by version.
   */
  static final class Inventories implements InventoryBoard {
    private final DataSource db;
    private final Clock clock;

    Inventories(DataSource db, Clock clock) {
      this.db = requireNonNull(db, "db");
      this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void put(String vcenterId, String owner, byte[] encoded) {
      try (Connection c = db.getConnection()) {
        try (PreparedStatement up = c.prepareStatement("UPDATE vcenter_inventory SET owner = ?, version = version + 1,"
            + " body = ?, updated_at = ? WHERE vcenter_id = ?")) {
          up.setString(1, owner);
          up.setBytes(2, encoded);
          up.setLong(3, clock.millis());
          up.setString(4, vcenterId);
          if (up.executeUpdate() > 0) {
            return;
          }
        }
        try (PreparedStatement ins = c.prepareStatement(
            "INSERT INTO vcenter_inventory (vcenter_id, owner, version, body, updated_at) VALUES (?, ?, 1, ?, ?)")) {
          ins.setString(1, vcenterId);
          ins.setString(2, owner);
          ins.setBytes(3, encoded);
          ins.setLong(4, clock.millis());
          ins.executeUpdate();
        }
      } catch (SQLException e) {
        throw new IllegalStateException("storing the inventory of vCenter " + vcenterId + " (" + encoded.length
            + " bytes) failed", e);
      }
    }

    @Override
    public Map<String, Long> versions() {
      Map<String, Long> out = new HashMap<>();
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT vcenter_id, version FROM vcenter_inventory");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading the versions of the shared vCenter inventories failed", e);
      }
      return out;
    }

    @Override
    public Optional<Stored> get(String vcenterId) {
      try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT version, owner, updated_at, body FROM vcenter_inventory WHERE vcenter_id = ?")) {
        ps.setString(1, vcenterId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Stored(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBytes(4)))
              : Optional.empty();
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading the inventory of vCenter " + vcenterId + " failed", e);
      }
    }

    @Override
    public void remove(String vcenterId) {
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement("DELETE FROM vcenter_inventory WHERE vcenter_id = ?")) {
        ps.setString(1, vcenterId);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("removing the inventory of vCenter " + vcenterId + " failed", e);
      }
    }
  }
}
