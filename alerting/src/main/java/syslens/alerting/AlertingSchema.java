package syslens.alerting;

import static java.util.Objects.requireNonNull;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import syslens.security.SchemaHistory;

/**
 * The alerting module's tables (rules and alert state under {@code V1xx}, notification state:
 * silences, groups, deliveries under {@code V2xx}), migrated by Flyway with their own history
 * table so they share the metadata database (H2 or PostgreSQL) with other modules.
 */
public final class AlertingSchema {
  static final String HISTORY_TABLE = "alerting_schema_history";
  static final String LOCATION = "syslens/alerting/db";

  private AlertingSchema() {}

  /** Applies pending alerting migrations to {@code db}; when there are none, Flyway is not started. */
  public static void migrate(DataSource db) {
    requireNonNull(db, "db");
    if (SchemaHistory.isCurrent(db, HISTORY_TABLE, AlertingSchema.class, LOCATION)) {
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
