package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.alerting.Alert;
import syslens.alerting.notify.TestSupport.Listener;

/**
 * Forwarding to Debian's Alertmanager 0.25, started on loopback with a temporary config whose
 * routes end at webhook listeners in this test: Alertmanager must route what SysLens forwards.
 */
class AlertmanagerForwardTest {
  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  @TempDir
  Path dir;
  Listener hook;
  Process am;
  int port;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(Files.isExecutable(BINARY), "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)");
    hook = new Listener();
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("am.yml"), """
        route:
          receiver: other
          group_by: [alertname]
          group_wait: 0s
          group_interval: 1s
          repeat_interval: 1h
          routes:
          - matchers: ['team="db"']
            receiver: db
        receivers:
        - name: db
          webhook_configs: [{url: '%s'}]
        - name: other
          webhook_configs: [{url: '%s'}]
        """.formatted(hook.url("/db"), hook.url("/other")));
    am = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("am.yml"),
        "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=", "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("am.log").toFile()).start();
    HttpClient c = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (am != null) {
      am.destroy();
      am.waitFor();
    }
    if (hook != null) {
      hook.close();
    }
  }

  @Test
  void forward_toAlertmanager_routedByItToTheRightWebhook() {
    Instant now = Instant.now();
    String config = """
        route:
          receiver: am
          group_by: ['...']
          group_wait: 0s
          group_interval: 1s
        receivers:
        - name: am
          alertmanager_configs: [{url: 'http://127.0.0.1:%d'}]
        """.formatted(port);
    try (Notifier n = Notifier.builder(TestSupport.h2()).initialConfig(config)
        .retry(5, Duration.ofMillis(200), Duration.ofSeconds(1)).build()) {
      Alert db = TestSupport.firing(now, "alertname", "ReplicationLag", "team", "db", "instance", "pg1");
      Alert web = TestSupport.firing(now, "alertname", "Http5xx", "team", "web");
      n.send(List.of(db, web));
      n.tick();
      await().atMost(Duration.ofSeconds(30)).until(() -> hook.paths.contains("/db") && hook.paths.contains("/other"));
      JsonNode p = hook.json().get(hook.paths.indexOf("/db"));
      assertThat(p.get("receiver").asText()).isEqualTo("db");
      assertThat(p.get("status").asText()).isEqualTo("firing");
      JsonNode a = p.get("alerts").get(0);
      // Alertmanager's own webhook payload has exactly the fields SysLens's webhook sends.
      var ours = Payloads.webhook(new Model.Notification(0, "k", "db", 0, "g", java.util.Map.of(),
          List.of(new Model.Entry(Model.fingerprint(db.labels()), db, true)), 0, false), List.of(
              new Model.Entry(Model.fingerprint(db.labels()), db, true)), 0, "");
      assertThat(FieldNames.of(p)).isEqualTo(new java.util.TreeSet<>(ours.keySet()));
      @SuppressWarnings("unchecked")
      var ourAlert = ((List<java.util.Map<String, Object>>) ours.get("alerts")).get(0);
      assertThat(FieldNames.of(a)).isEqualTo(new java.util.TreeSet<>(ourAlert.keySet()));
      assertThat(a.get("endsAt").asText()).isEqualTo(Payloads.ZERO_TIME).isEqualTo(ourAlert.get("endsAt"));
      assertThat(a.get("labels").get("alertname").asText()).isEqualTo("ReplicationLag");
      assertThat(a.get("labels").get("instance").asText()).isEqualTo("pg1");
      assertThat(a.get("annotations").get("summary").asText()).isEqualTo("summary of ReplicationLag");
      assertThat(a.get("generatorURL").asText()).isEqualTo("http://syslens.test/graph");
      assertThat(a.get("fingerprint").asText()).isEqualTo(Model.fingerprint(db.labels()));
      assertThat(hook.json().get(hook.paths.indexOf("/other")).get("alerts").get(0).get("labels").get("alertname")
          .asText()).isEqualTo("Http5xx");

      // Recovery: the resolved alert is forwarded and Alertmanager sends its resolution.
      int before = hook.bodies.size();
      n.send(List.of(TestSupport.resolved(db, Instant.now())));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        n.tick();
        return hook.json().stream().skip(before).anyMatch(x -> x.get("status").asText().equals("resolved")
            && x.get("receiver").asText().equals("db"));
      });
    }
  }

  /** Field names of a JSON object. */
  static final class FieldNames {
    static java.util.TreeSet<String> of(JsonNode n) {
      java.util.TreeSet<String> out = new java.util.TreeSet<>();
      n.fieldNames().forEachRemaining(out::add);
      return out;
    }
  }
}
