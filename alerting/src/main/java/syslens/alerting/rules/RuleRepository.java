package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import syslens.alerting.AlertingSchema;

/** Rule groups as stored in the metadata database (JSON model, table alert_rule_groups). */
public final class RuleRepository {
  private final DataSource db;
  private final Clock clock;

  private RuleRepository(DataSource db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Migrates the alerting schema and opens the repository. */
  public static RuleRepository create(DataSource db, Clock clock) {
    requireNonNull(db, "db");
    AlertingSchema.migrate(db);
    return new RuleRepository(db, requireNonNull(clock, "clock"));
  }

  /** Every stored group, by name. */
  public List<GroupSpec> list() {
    List<GroupSpec> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name, spec, owner, scope FROM "
            + "alert_rule_groups ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String scope = rs.getString(4);
        out.add(RuleFiles.parseGroup(rs.getString(2)).owned(rs.getString(3),
            scope == null || scope.isBlank() ? List.of() : List.of(scope.split("\n"))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading rule groups: " + e.getMessage(), e);
    }
    return out;
  }

  /** Inserts or replaces groups in one transaction. */
  public void save(List<GroupSpec> groups, String actor) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM alert_rule_groups WHERE name = ?");
          PreparedStatement ins = c.prepareStatement("INSERT INTO alert_rule_groups (name, spec, "
              + "updated_at, updated_by, owner, scope) VALUES (?,?,?,?,?,?)")) {
        for (GroupSpec g : groups) {
          del.setString(1, g.name());
          del.executeUpdate();
          ins.setString(1, g.name());
          ins.setString(2, RuleJson.groupText(g));
          ins.setLong(3, clock.millis());
          ins.setString(4, actor);
          ins.setString(5, g.owner().isEmpty() ? actor : g.owner());
          ins.setString(6, String.join("\n", g.scope()));
          ins.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving rule groups: " + e.getMessage(), e);
    }
  }

  /** Deletes a group; false when there was none. */
  public boolean delete(String name) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM alert_rule_groups WHERE name = ?")) {
      ps.setString(1, name);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IllegalStateException("deleting rule group: " + e.getMessage(), e);
    }
  }
}
