package syslens.server;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.report.ReportScheduler;
import syslens.report.Schedule;
import syslens.report.ScheduleApi;
import syslens.server.meta.MetaStore;

/**
 * Tables {@code report_schedules} and {@code user_emails} (migration V8): report schedules as
 * JSON text, and the e-mail address each user set for themselves.
 */
final class ReportScheduleStore implements ReportScheduler.Store {
  private static final Logger log = LoggerFactory.getLogger(ReportScheduleStore.class);
  private final MetaStore db;
  private final Clock clock;

  ReportScheduleStore(MetaStore db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public List<Schedule> load() {
    List<Schedule> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, body FROM report_schedules ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        try {
          out.add(ScheduleApi.fromJson(rs.getString(2)));
        } catch (RuntimeException e) {
          log.error("report schedule {} unreadable, not run: {}", rs.getString(1), e.getMessage());
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading report schedules failed", e);
    }
    return out;
  }

  @Override
  public void save(Schedule s) {
    upsert("report_schedules", "id", s.id(), "owner = ?, body = ?", "owner, body", s.owner(), ScheduleApi.toText(s));
  }

  @Override
  public void delete(String id) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM report_schedules WHERE id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("deleting report schedule " + id + " failed", e);
    }
  }

  Optional<String> email(String username) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT email FROM user_emails WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading the e-mail address of " + username + " failed", e);
    }
  }

  void setEmail(String username, String email) {
    if (email == null) {
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("DELETE FROM user_emails WHERE username = ?")) {
        ps.setString(1, username);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("removing the e-mail address of " + username + " failed", e);
      }
      return;
    }
    upsert("user_emails", "username", username, "email = ?", "email", email);
  }

  /** Updates the row keyed {@code key} or inserts it (two statements in one transaction: H2 and PostgreSQL alike). */
  private void upsert(String table, String keyColumn, String key, String set, String columns, String... values) {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        int n;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET " + set + ", updated_at = ? WHERE "
            + keyColumn + " = ?")) {
          int i = 1;
          for (String v : values) {
            ps.setString(i++, v);
          }
          ps.setLong(i++, clock.millis());
          ps.setString(i, key);
          n = ps.executeUpdate();
        }
        if (n == 0) {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + keyColumn + ", " + columns
              + ", updated_at) VALUES (?" + ", ?".repeat(values.length) + ", ?)")) {
            int i = 1;
            ps.setString(i++, key);
            for (String v : values) {
              ps.setString(i++, v);
            }
            ps.setLong(i, clock.millis());
            ps.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving " + table + " " + key + " failed", e);
    }
  }
}
