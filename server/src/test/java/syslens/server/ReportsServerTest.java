package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/** Reports wired into a real server: run over REST, download, the requester's scope, audit. */
class ReportsServerTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static String admin;
  static String alice;
  static final String PW = "Reports-passw0rd-long";

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), Duration.ofSeconds(10));
    admin = server.login();
    long now = System.currentTimeMillis();
    Appender a = server.server.tsdb().appender();
    for (String[] n : new String[][] {{"a1", "team-a"}, {"b1", "team-b"}}) {
      Labels l = Labels.of("__name__", "vsphere_vm_cpu_usage_ratio", "node", n[0], "group", n[1]);
      Labels m = Labels.of("__name__", "vsphere_vm_memory_usage_ratio", "node", n[0], "group", n[1]);
      for (long t = now - 6 * 3_600_000L; t <= now; t += 60_000) {
        a.append(l, t, 0.02);
        a.append(m, t, 0.05);
      }
    }
    a.commit();
    assertThat(server.put("/api/v1/roles/team-a", "{\"parents\":[\"operator\"],\"scopes\":[\"{group=\\\"team-a\\\"}\"]}",
        admin).statusCode()).isEqualTo(200);
    HttpResponse<String> user = server.post("/api/v1/users", "{\"username\":\"alice\",\"password\":\"" + PW
        + "\",\"role\":\"team-a\",\"mustChangePassword\":false}", admin);
    assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\""
        + PW + "\"}", null);
    alice = TestServer.JSON.readTree(r.body()).get("token").asText();
  }

  @AfterAll
  static void stop() {
    server.server.close();
  }

  @Test
  void post_runsAPdfThatDownloadsAndIsAudited() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/reports", "{\"kind\": [\"utilization\", \"rightsizing\"], "
        + "\"period\": \"6h\", \"format\": \"pdf\", \"language\": \"zh-CN\"}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode e = TestServer.JSON.readTree(r.body()).get("data");
    assertThat(e.get("nodes").asInt()).isEqualTo(2);
    assertThat(e.get("pages").asInt()).isGreaterThanOrEqualTo(4);
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base()
        + "/api/v1/reports/" + e.get("id").asText() + "/file")).header("Authorization", "Bearer " + admin).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("content-type")).hasValue("application/pdf");
    assertThat(file.headers().firstValue("content-disposition").orElseThrow()).startsWith("attachment; filename=");
    assertThat(new String(file.body(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    assertThat(file.body()).hasSize(e.get("bytes").asInt());
    assertThat(server.get("/api/v1/audit", admin).body()).contains("report.run", e.get("id").asText());
  }

  @Test
  void post_scopedRequesterSeesOnlyItsNodes() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/reports", "{\"kind\": \"utilization\", \"period\": \"6h\", "
        + "\"format\": \"csv\"}", alice);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = TestServer.JSON.readTree(r.body()).at("/data/id").asText();
    String csv = server.get("/api/v1/reports/" + id + "/file", alice).body();
    assertThat(csv).contains("a1").doesNotContain("b1");
    String preview = server.get("/api/v1/reports/" + id + "/preview", alice).body();
    assertThat(preview).contains("\"a1\"").doesNotContain("b1");
    assertThat(server.get("/api/v1/reports/" + id, admin).statusCode()).as("another user's report").isEqualTo(404);
  }

  @Test
  void post_tenYearsAnswers400() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/reports", "{\"kind\": \"utilization\", \"period\": \"10y\"}", admin);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"errorType\":\"bad_data\"", "period: 3650 days (expected: at most 800 days");
  }
}
