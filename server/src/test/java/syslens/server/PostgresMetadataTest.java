package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.security.PostgresServer;

/** The whole server on a real PostgreSQL 15 metadata database (the metadata URL selects it). */
class PostgresMetadataTest {
  @TempDir Path dir;

  @Test
  void server_onPostgres_keepsUsersAndAuditAcrossRestarts() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql; .ci/run does it)").isTrue();
    try (PostgresServer pg = PostgresServer.start()) {
      String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
      try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), url)) {
        HttpResponse<String> created = s.post("/api/v1/users", "{\"username\":\"pat\",\"password\":\"Tr0ub4dor-and-3x\","
            + "\"role\":\"auditor\",\"mustChangePassword\":false}", s.login());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      }
      assertThat(dir.resolve("meta")).as("no embedded H2 database").doesNotExist();
      try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), url)) {
        HttpResponse<String> login = s.post("/api/v1/auth/login",
            "{\"username\":\"pat\",\"password\":\"Tr0ub4dor-and-3x\"}", null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = TestServer.JSON.readTree(login.body()).get("token").asText();
        HttpResponse<String> verify = s.get("/api/v1/audit/verify", token);
        assertThat(verify.statusCode()).isEqualTo(200);
        assertThat(TestServer.JSON.readTree(verify.body()).at("/data/ok").asBoolean()).isTrue();
        assertThat(TestServer.JSON.readTree(verify.body()).at("/data/checked").asLong()).isGreaterThanOrEqualTo(3);
      }
    }
    assertThat(Files.exists(dir)).isTrue();
  }
}
