package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/** Rules over REST on a real server: create, feed data, alert firing, restart keeps state. */
class AlertRulesApiTest {
  @TempDir
  Path dir;

  private static void write(TestServer s, String node, double v) {
    Appender app = s.server.tsdb().appender();
    app.append(Labels.of("__name__", "temp", "node", node), System.currentTimeMillis(), v);
    app.commit();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body());
  }

  private static HttpResponse<String> send(TestServer s, String method, String path, String body,
      String contentType, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode alerts(TestServer s, String token) throws Exception {
    return json(s.get("/api/v1/alerts", token)).at("/data/alerts");
  }

  @Test
  void createRule_dataCrossesThreshold_alertFiresAndSurvivesRestart() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      String token = s.login();
      HttpResponse<String> created = s.post("/api/v1/alert-rules", """
          {"name": "temps", "interval": "1s", "rules": [
            {"alert": "Hot", "expr": "temp > 50", "level": "critical",
             "annotations": {"summary": "{{ $labels.node }} at {{ $value }}"}},
            {"alert": "WarmForAnHour", "expr": "temp > 40", "for": "1h"}]}
          """, token);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

      write(s, "n1", 60);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        JsonNode a = alerts(s, token);
        assertThat(a.findValuesAsText("state")).containsExactlyInAnyOrder("firing", "pending");
      });
      JsonNode hot = null;
      String pendingActiveAt = null;
      for (JsonNode a : alerts(s, token)) {
        if (a.at("/labels/alertname").asText().equals("Hot")) {
          hot = a;
        } else {
          pendingActiveAt = a.path("activeAt").asText();
        }
      }
      assertThat(hot.at("/labels/severity").asText()).isEqualTo("critical");
      assertThat(hot.at("/annotations/summary").asText()).isEqualTo("n1 at 60");
      String hotActiveAt = hot.path("activeAt").asText();

      JsonNode rules = json(s.get("/api/v1/rules", token)).at("/data/groups");
      assertThat(rules.findValuesAsText("name")).contains("syslens-builtin", "temps", "Hot",
          "NodeDown");

      s.restart();
      String token2 = s.login();
      // Straight after the restart, before any evaluation: state is back from the database.
      JsonNode after = alerts(s, token2);
      assertThat(after.findValuesAsText("activeAt")).containsExactlyInAnyOrder(hotActiveAt,
          pendingActiveAt);
      JsonNode history = json(s.get("/api/v1/alerts/history?rule=Hot&node=n1&level=critical",
          token2)).at("/data/changes");
      assertThat(history.findValuesAsText("to")).containsExactly("firing", "pending");
      // Paged: one row at a time, newest first; a bad offset is refused with its range.
      JsonNode second = json(s.get("/api/v1/alerts/history?rule=Hot&node=n1&limit=1&offset=1",
          token2)).at("/data/changes");
      assertThat(second.findValuesAsText("to")).containsExactly("pending");
      HttpResponse<String> badOffset = s.get("/api/v1/alerts/history?offset=-1", token2);
      assertThat(badOffset.statusCode()).isEqualTo(400);
      assertThat(json(badOffset).path("error").asText()).startsWith("offset: -1 (expected: 0 to");

      JsonNode audit = json(s.get("/api/v1/audit", token2));
      assertThat(audit.toString()).contains("alert.rules.create", "temps");
    }
  }

  @Test
  void manageRules_badInputAndYamlImport() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      String token = s.login();
      HttpResponse<String> bad = s.post("/api/v1/alert-rules",
          "{\"name\": \"g\", \"rules\": [{\"alert\": \"X\", \"expr\": \"up ==\"}]}", token);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(json(bad).path("error").asText()).startsWith("group \"g\" rule \"X\"")
          .contains("expr:");

      HttpResponse<String> yaml = send(s, "POST", "/api/v1/alert-rules", """
          groups:
            - name: node
              rules:
                - alert: InstanceDown
                  expr: up == 0
                  for: 5m
                  labels: {severity: page}
          """, "application/yaml", token);
      assertThat(yaml.statusCode()).as(yaml.body()).isEqualTo(201);
      JsonNode g = json(s.get("/api/v1/alert-rules/node", token)).path("data");
      assertThat(g.at("/rules/0/for").asText()).isEqualTo("5m");
      // What a client read (with the owner and scope the API shows) can be sent back as it is.
      HttpResponse<String> roundTrip = send(s, "PUT", "/api/v1/alert-rules/node", g.toString(),
          "application/json", token);
      assertThat(roundTrip.statusCode()).as(roundTrip.body()).isEqualTo(200);

      HttpResponse<String> builtin = send(s, "DELETE", "/api/v1/alert-rules/syslens-builtin",
          null, null, token);
      assertThat(builtin.statusCode()).isEqualTo(400);
      HttpResponse<String> del = send(s, "DELETE", "/api/v1/alert-rules/node", null, null, token);
      assertThat(del.statusCode()).isEqualTo(200);
      assertThat(s.get("/api/v1/alert-rules/node", token).statusCode()).isEqualTo(404);
    }
  }
}
