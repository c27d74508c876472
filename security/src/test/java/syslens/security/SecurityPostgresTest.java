package syslens.security;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;

/** The same contract on a real PostgreSQL 15 started on loopback (Debian's postgresql package). */
class SecurityPostgresTest extends SecurityContractTest {
  private static final AtomicInteger N = new AtomicInteger();
  private static PostgresServer pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (!PostgresServer.available()) {
      throw new IllegalStateException("PostgreSQL 15 missing under " + PostgresServer.BIN
          + " (expected: apt-get install postgresql; .ci/run does it)");
    }
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  /**
   * A database per test, copied from one the migrations ran on once, on a fresh database (a
   * copy is much faster than migrating every test's database).
   */
  @Override
  DataSource freshDatabase() throws Exception {
    String name = "sec" + N.incrementAndGet();
    synchronized (SecurityPostgresTest.class) {
      if (!migrated) {
        create("sec_template", null);
        Security.builder(database("sec_template")).jwtKey(KEY).build();
        migrated = true;
      }
    }
    create(name, "sec_template");
    return database(name);
  }

  private static boolean migrated;

  private static void create(String name, String template) throws Exception {
    try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name + (template == null ? "" : " TEMPLATE " + template));
    }
  }

  private static DataSource database(String name) {
    PGSimpleDataSource ds = (PGSimpleDataSource) pg.dataSource();
    ds.setDatabaseName(name);
    return ds;
  }
}
