package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiSecurityTest {
  @TempDir static Path dir;
  static TestServer server;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
    token = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void healthz_needsNoAuth() throws Exception {
    assertThat(server.get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(server.get("/readyz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void login_wrongPassword_is401WithJsonError() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"nope\"}", null);
    assertThat(r.statusCode()).isEqualTo(401);
    JsonNode body = TestServer.JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("error").asText()).isEqualTo("invalid username or password");
  }

  @Test
  void login_unknownUser_is401() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"mallory\",\"password\":\"x\"}", null);
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void login_malformedBody_is400() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{not json", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("expected");
  }

  @Test
  void login_oversizedBody_isRejected() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"" + "a".repeat(20_000) + "\"}", null);
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void apiEndpoints_withoutToken_are401() throws Exception {
    for (String p : new String[] {"/api/v1/nodes", "/api/v1/query?query=up", "/api/v1/query_range?query=up",
        "/metrics", "/api/v1/live", "/api/v1/nope"}) {
      HttpResponse<String> r = server.get(p, null);
      assertThat(r.statusCode()).as(p).isEqualTo(401);
      assertThat(r.body()).as(p).contains("\"status\":\"error\"");
    }
  }

  @Test
  void apiEndpoints_withForgedToken_are401() throws Exception {
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
    assertThat(server.get("/api/v1/nodes", forged).statusCode()).isEqualTo(401);
  }

  @Test
  void metrics_withToken_isPrometheusText() throws Exception {
    HttpResponse<String> r = server.get("/metrics", token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("# TYPE").contains("syslens_ingest_batches_total");
  }

  @Test
  void dashboard_isServedWithoutAuth() throws Exception {
    HttpResponse<String> r = server.get("/", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("<div id=\"root\"");
  }

  @Test
  void unknownApiPath_is404Json() throws Exception {
    HttpResponse<String> r = server.get("/api/v1/nope", token);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("not_found");
  }
}
