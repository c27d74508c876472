package syslens.security;

import static java.util.Objects.requireNonNull;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The security module's tables, migrated by Flyway with their own history table so they can
 * share one metadata database (H2 or PostgreSQL) with other modules' migrations.
 */
public final class SecuritySchema {
  static final String HISTORY_TABLE = "security_schema_history";
  static final String LOCATION = "syslens/security/db";

  private SecuritySchema() {}

  /** Applies pending security migrations to {@code db}; when there are none, Flyway is not started. */
  public static void migrate(DataSource db) {
    requireNonNull(db, "db");
    if (SchemaHistory.isCurrent(db, HISTORY_TABLE, SecuritySchema.class, LOCATION)) {
      return;
    }
    Flyway.configure()
        .dataSource(db)
        .locations("classpath:" + LOCATION)
        .table(HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
