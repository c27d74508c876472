package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.alerting.Alert;
import syslens.storage.Labels;

/** Notification wired into a real server: config over REST, an alert to a webhook, silences, permissions, audit. */
class AlertingServerTest {
  @TempDir static Path dir;
  static TestServer server;
  static String admin;
  static HttpServer hook;
  static final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/", ex -> {
      received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    server = new TestServer(dir, Duration.ofSeconds(1));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
    hook.stop(0);
  }

  private static HttpResponse<String> send(String method, String path, String body, String type, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", type).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void config_putYaml_alertReachesWebhook_silenceAndAckAudited() throws Exception {
    String yaml = """
        route: {receiver: hook, group_wait: 0s, group_by: [alertname]}
        receivers:
        - name: hook
          webhook_configs: [{url: 'http://127.0.0.1:%d/hook'}]
        """.formatted(hook.getAddress().getPort());
    HttpResponse<String> put = send("PUT", "/api/v1/alerting/config", yaml, "application/yaml", admin);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    HttpResponse<String> bad = send("PUT", "/api/v1/alerting/config", "route: {receiver: x}\nreceivers: [{name: y}]",
        "application/yaml", admin);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.JSON.readTree(bad.body()).get("error").asText())
        .isEqualTo("route.receiver: \"x\" is not defined (expected: one of [y])");

    Instant now = Instant.now();
    Alert a = new Alert(Labels.of("alertname", "NodeDown", "instance", "n1"), Map.of("summary", "n1 is down"), now,
        now.plusSeconds(3600), "", Double.NaN);
    server.server.alertSink().send(List.of(a));
    await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
    JsonNode payload = TestServer.JSON.readTree(received.get(0));
    assertThat(payload.get("version").asText()).isEqualTo("4");
    assertThat(payload.at("/alerts/0/labels/alertname").asText()).isEqualTo("NodeDown");
    String fp = payload.at("/alerts/0/fingerprint").asText();

    HttpResponse<String> ack = send("POST", "/api/v1/alerts/" + fp + "/ack", "{\"comment\":\"on it\"}",
        "application/json", admin);
    assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
    HttpResponse<String> sil = send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"instance\",\"value\":\"n1\","
        + "\"isRegex\":false}],\"endsAt\":\"" + now.plusSeconds(7200) + "\",\"comment\":\"reboot\"}", "application/json", admin);
    assertThat(sil.statusCode()).as(sil.body()).isEqualTo(200);
    JsonNode alerts = TestServer.JSON.readTree(server.get("/api/v1/alerting/alerts", admin).body()).get("data");
    assertThat(alerts.at("/0/acknowledged/by").asText()).isEqualTo("admin");
    assertThat(alerts.at("/0/status/state").asText()).isEqualTo("suppressed");
    // The listener has the body before the sender has the answer and records the outcome.
    await().atMost(Duration.ofSeconds(20)).until(() -> TestServer.JSON.readTree(
        server.get("/api/v1/notifications?receiver=hook", admin).body()).at("/data/0/status").asText().equals("delivered"));
    assertThat(server.get("/metrics", admin).body()).contains("syslens_alerting_notifications_delivered_total 1.0");

    String audit = server.get("/api/v1/audit", admin).body();
    assertThat(audit).contains("alerting.config.changed").contains("alert.acknowledged").contains("silence.created");
  }

  @Test
  void silences_viewer_canReadButNotCreate() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/users", "{\"username\":\"vera\",\"password\":\"Tr0ub4dor-and-3x\","
        + "\"role\":\"viewer\",\"mustChangePassword\":false}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String viewer = TestServer.JSON.readTree(server.post("/api/v1/auth/login",
        "{\"username\":\"vera\",\"password\":\"Tr0ub4dor-and-3x\"}", null).body()).get("token").asText();
    assertThat(server.get("/api/v1/silences", viewer).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/receivers", viewer).statusCode()).isEqualTo(200);
    assertThat(server.post("/api/v1/silences", "{}", viewer).statusCode()).isEqualTo(403);
    assertThat(server.get("/api/v1/alerting/config", viewer).statusCode()).isEqualTo(403);
    assertThat(send("POST", "/api/v1/alerts/0123456789abcdef/ack", "{}", "application/json", viewer).statusCode())
        .isEqualTo(403);
  }
}
