package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance serves only its roles' paths; health, readiness and metrics everywhere. */
class RolesTest {
  @TempDir Path dir;

  @Test
  void ingestOnly_servesHealthReadyMetricsAndWritesButNoApi() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), null,
        b -> b.roles(EnumSet.of(Role.INGEST)))) {
      assertThat(s.get("/healthz", null).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = s.get("/readyz", null);
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      JsonNode r = TestServer.JSON.readTree(ready.body());
      assertThat(r.at("/status").asText()).isEqualTo("ready");
      assertThat(r.at("/checks/metadata/status").asText()).isEqualTo("ok");
      assertThat(r.at("/checks/storage/status").asText()).isEqualTo("ok");
      assertThat(r.at("/checks/bus/kind").asText()).isEqualTo("local");
      HttpResponse<String> login = s.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\""
          + TestServer.PASSWORD + "\"}", null);
      assertThat(login.statusCode()).isEqualTo(404);
      assertThat(login.body()).contains("served by instances with the api role").contains("--roles ingest");
      assertThat(s.get("/", null).statusCode()).isEqualTo(404);
      // Remote-write is ingest's: it answers (401 without a key), not 404.
      assertThat(s.post("/api/v1/write", "", null).statusCode()).isEqualTo(401);
      assertThat(s.get("/metrics", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void apiOnly_refusesRemoteWriteNamingIngest() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), null, b -> b.roles(EnumSet.of(Role.API)))) {
      String admin = s.login();
      assertThat(s.get("/api/v1/nodes", admin).statusCode()).isEqualTo(200);
      HttpResponse<String> write = s.post("/api/v1/write", "", admin);
      assertThat(write.statusCode()).isEqualTo(404);
      assertThat(write.body()).contains("ingest role");
    }
  }

  @Test
  void parse_badRole_namesItAndTheChoices() {
    assertThat(Role.parse("ingest, API")).containsExactlyInAnyOrder(Role.INGEST, Role.API);
    assertThatThrownBy(() -> Role.parse("ingest,storage")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--roles: \"storage\" (expected: a comma-separated list of ingest, api, alerting, collector, writer)");
    assertThatThrownBy(() -> Role.parse(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
