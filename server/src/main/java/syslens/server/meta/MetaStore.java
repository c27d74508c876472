package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;
import syslens.security.SchemaHistory;

/**
 * The metadata database, migrated by Flyway: an embedded H2 file under the data directory (the
 * default) or PostgreSQL (production; {@code metadata.url = jdbc:postgresql://...}).
 */
public final class MetaStore implements AutoCloseable {
  /** Flyway's default history table, where the server's own migrations are recorded. */
  static final String HISTORY_TABLE = "flyway_schema_history";
  static final String LOCATION = "db/migration";
  private final JdbcConnectionPool pool;
  private final boolean h2;

  private MetaStore(JdbcConnectionPool pool, boolean h2) {
    this.pool = pool;
    this.h2 = h2;
  }

  /** Opens (creating if needed) {@code <dir>/syslens.mv.db} and applies pending migrations. */
  public static MetaStore openH2(Path dir) {
    requireNonNull(dir, "dir");
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("syslens") + ";DB_CLOSE_ON_EXIT=FALSE";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "syslens", "");
    return migrated(pool, true);
  }

  /** Connects to PostgreSQL at {@code url} ({@code jdbc:postgresql://host:port/db}) and migrates it. */
  public static MetaStore openPostgres(String url, String user, String password) {
    requireNonNull(url, "url");
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("metadata url: " + url + " (expected: jdbc:postgresql://HOST:PORT/DB)");
    }
    PGConnectionPoolDataSource ds = new PGConnectionPoolDataSource();
    ds.setURL(url);
    if (user != null) {
      ds.setUser(user);
    }
    if (password != null) {
      ds.setPassword(password);
    }
    return migrated(JdbcConnectionPool.create(ds), false);
  }

  private static MetaStore migrated(JdbcConnectionPool pool, boolean h2) {
    pool.setMaxConnections(16);
    try {
      if (SchemaHistory.isCurrent(pool, HISTORY_TABLE, MetaStore.class, LOCATION)) {
        return new MetaStore(pool, h2); // a restart: nothing to migrate, Flyway not started
      }
      Flyway.configure().dataSource(pool).locations("classpath:" + LOCATION).load().migrate();
    } catch (RuntimeException e) {
      pool.dispose();
      throw e;
    }
    return new MetaStore(pool, h2);
  }

  public DataSource dataSource() {
    return pool;
  }

  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void close() {
    if (h2) {
      try (Connection c = pool.getConnection()) {
        c.createStatement().execute("SHUTDOWN");
      } catch (SQLException e) {
        // already closed
      }
    }
    pool.dispose();
  }
}
