package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import syslens.vsphere.VCenterRepository;
import syslens.vsphere.VCenterSpec;

/** vCenter connections in the metadata database; passwords only as sealed by the master key. */
public final class VCenterStore implements VCenterRepository {
  private static final String COLUMNS = "id, name, url, username, password_sealed, pinned_sha256, max_concurrency,"
      + " timeout_s, perf_interval_s, inventory_interval_s, enabled, updated_at";
  private final MetaStore db;
  private final Clock clock;

  public VCenterStore(MetaStore db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public List<VCenterSpec> list() {
    List<VCenterSpec> out = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM vcenters ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new VCenterSpec(rs.getString(1), rs.getString(2), URI.create(rs.getString(3)), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getInt(7), Duration.ofSeconds(rs.getInt(8)),
            Duration.ofSeconds(rs.getInt(9)), Duration.ofSeconds(rs.getInt(10)), rs.getBoolean(11)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("listing vCenters failed", e);
    }
    return out;
  }

  @Override
  public void save(VCenterSpec s) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM vcenters WHERE id=?");
          PreparedStatement ins = c.prepareStatement("INSERT INTO vcenters (" + COLUMNS
              + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        del.setString(1, s.id());
        del.executeUpdate();
        ins.setString(1, s.id());
        ins.setString(2, s.name());
        ins.setString(3, s.url().toString());
        ins.setString(4, s.user());
        ins.setString(5, s.sealedPassword());
        ins.setString(6, s.pinnedSha256());
        ins.setInt(7, s.maxConcurrency());
        ins.setInt(8, (int) s.timeout().toSeconds());
        ins.setInt(9, (int) s.perfInterval().toSeconds());
        ins.setInt(10, (int) s.inventoryInterval().toSeconds());
        ins.setBoolean(11, s.enabled());
        ins.setLong(12, clock.millis());
        ins.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving vCenter " + s.name() + " failed", e);
    }
  }

  @Override
  public boolean delete(String id) {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM vcenters WHERE id=?")) {
      ps.setString(1, id);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("deleting vCenter " + id + " failed", e);
    }
  }
}
