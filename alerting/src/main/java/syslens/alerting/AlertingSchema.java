package syslens.alerting;

import static java.util.Objects.requireNonNull;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The alerting module's tables (rules and alert state under {@code V1xx}, notification state:
 * silences, groups, deliveries under {@code V2xx}), migrated by Flyway with their own history
 * table so they share the metadata database (H2 or PostgreSQL) with other modules.
 */
public final class AlertingSchema {
  static final String HISTORY_TABLE = "alerting_schema_history";

  private AlertingSchema() {}

  /** Applies pending alerting migrations to {@code db}. */
  public static void migrate(DataSource db) {
    requireNonNull(db, "db");
    Flyway.configure()
        .dataSource(db)
        .locations("classpath:syslens/alerting/db")
        .table(HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
