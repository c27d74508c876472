package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/** The metadata database: an embedded H2 file under the data directory, migrated by Flyway. */
public final class MetaStore implements AutoCloseable {
  private final JdbcConnectionPool pool;

  private MetaStore(JdbcConnectionPool pool) {
    this.pool = pool;
  }

  /** Opens (creating if needed) {@code <dir>/syslens.mv.db} and applies pending migrations. */
  public static MetaStore openH2(Path dir) {
    requireNonNull(dir, "dir");
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("syslens") + ";DB_CLOSE_ON_EXIT=FALSE";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "syslens", "");
    pool.setMaxConnections(16);
    Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    return new MetaStore(pool);
  }

  public DataSource dataSource() {
    return pool;
  }

  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void close() {
    try (Connection c = pool.getConnection()) {
      c.createStatement().execute("SHUTDOWN");
    } catch (SQLException e) {
      // already closed
    }
    pool.dispose();
  }
}
