package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import syslens.security.PostgresServer;

/** {@link InputCorpusTest} with the metadata in a real PostgreSQL 15 (which, unlike H2, refuses NUL in text). */
class InputCorpusPostgresTest extends InputCorpusTest {
  static PostgresServer pg;

  @BeforeAll
  static void startOnPostgres() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql; .ci/run does it)").isTrue();
    pg = PostgresServer.start();
    startOn("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
  }

  @AfterAll
  static void stopPostgres() {
    stop(); // the server first, while its database is still there
    if (pg != null) {
      try {
        pg.close();
      } catch (Exception e) {
        throw new IllegalStateException("stopping PostgreSQL", e);
      }
    }
  }
}
