package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHistoryTest {
  private static final AtomicInteger N = new AtomicInteger();
  private final JdbcConnectionPool db =
      JdbcConnectionPool.create("jdbc:h2:mem:history" + N.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", "");

  @AfterEach
  void close() {
    db.dispose();
  }

  private boolean current() {
    return SchemaHistory.isCurrent(db, SecuritySchema.HISTORY_TABLE, SecuritySchema.class, SecuritySchema.LOCATION);
  }

  private int historyRows() throws SQLException {
    try (Connection c = db.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"security_schema_history\"")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void isCurrent_noHistoryTable_false() {
    assertThat(current()).isFalse();
  }

  @Test
  void isCurrent_afterMigrate_true() {
    SecuritySchema.migrate(db);

    assertThat(current()).isTrue();
  }

  @Test
  void isCurrent_aNewerMigrationShipped_false() throws SQLException {
    SecuritySchema.migrate(db);
    try (Connection c = db.getConnection()) { // as if the history ended one migration earlier
      c.createStatement().execute("DELETE FROM \"security_schema_history\" WHERE \"installed_rank\" = "
          + "(SELECT MAX(\"installed_rank\") FROM \"security_schema_history\")");
    }

    assertThat(current()).isFalse();
  }

  @Test
  void isCurrent_aFailedMigrationRecorded_false() throws SQLException {
    SecuritySchema.migrate(db);
    try (Connection c = db.getConnection()) {
      c.createStatement().execute("UPDATE \"security_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '2'");
    }

    assertThat(current()).isFalse();
  }

  @Test
  void isCurrent_noMigrationsAtTheLocation_false() {
    SecuritySchema.migrate(db);

    assertThat(SchemaHistory.isCurrent(db, SecuritySchema.HISTORY_TABLE, SecuritySchema.class, "syslens/nothing"))
        .isFalse();
  }

  @Test
  void migrate_historyCurrent_addsNoHistory() throws SQLException {
    SecuritySchema.migrate(db);
    int rows = historyRows();

    SecuritySchema.migrate(db); // the restart path

    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void newestMigration_inAJar_highestVersionByFlywaysOrder(@TempDir Path dir) throws Exception {
    Path jar = dir.resolve("m.jar"); // with its directory entries, as Maven writes jars
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : List.of("db/", "db/V2__a.sql", "db/V10__b.sql", "db/V9_1__c.sql", "db/R__view.sql",
          "db/sub/V99__nested.sql", "other/V50__x.sql")) {
        out.putNextEntry(new JarEntry(name));
        out.closeEntry();
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      assertThat(SchemaHistory.newestMigration(loader, "db")).containsExactly(BigInteger.TEN);
      assertThat(SchemaHistory.newestMigration(loader, "missing")).isNull();
    }
  }
}
