package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * Alerting end to end with real parts: a real agent's data crosses a rule's threshold in a real
 * server, the alert reaches a webhook listener (Alertmanager's payload) and a GreenMail SMTP
 * server (in Simplified Chinese, the receiver's language); a server restart in the middle sends
 * nothing again; when the agent goes away its series go stale and the resolution arrives. And
 * with the same real parts: a critical alert inhibits the warning on the same node, a silence
 * keeps its alert quiet until it is expired.
 */
class AlertingEndToEndTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  @TempDir Path dir;
  HttpServer hook;
  final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
  GreenMail mail;

  @BeforeEach
  void peers() throws Exception {
    hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/", ex -> {
      hooks.add(TestServer.JSON.readTree(ex.getRequestBody().readAllBytes()));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
  }

  @AfterEach
  void stopPeers() {
    hook.stop(0);
    mail.stop();
  }

  private static HttpResponse<String> send(TestServer s, String method, String path, String body,
      String type, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.base() + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", type)
        .header("Authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static java.time.Instant lastEvaluation(TestServer s, String token) throws Exception {
    return lastEvaluation(s, token, "e2e");
  }

  private static java.time.Instant lastEvaluation(TestServer s, String token, String group) throws Exception {
    for (JsonNode g : TestServer.JSON.readTree(s.get("/api/v1/rules", token).body()).at("/data/groups")) {
      if (g.path("name").asText().equals(group)) {
        return java.time.Instant.parse(g.path("lastEvaluation").asText());
      }
    }
    throw new AssertionError("group " + group + " not found");
  }

  private boolean notified(String alertname) {
    return hooks.stream().anyMatch(h -> h.path("status").asText().equals("firing")
        && h.path("alerts").findValuesAsText("alertname").contains(alertname));
  }

  private static JsonNode dispatcherView(TestServer s, String token, String alertname) throws Exception {
    for (JsonNode a : TestServer.JSON.readTree(s.get("/api/v1/alerting/alerts", token).body()).path("data")) {
      if (a.at("/labels/alertname").asText().equals(alertname)) {
        return a;
      }
    }
    return null;
  }

  @Test
  void criticalInhibitsWarningOnSameNode_silenceKeepsAlertQuietUntilExpired() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("data"), Duration.ofSeconds(1))) {
      String token = s.login();
      String config = """
          route: {receiver: hook, group_by: [alertname, node], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
          inhibit_rules:
          - {source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [node]}
          receivers:
          - name: hook
            webhook_configs: [{url: 'http://127.0.0.1:%d/hook', send_resolved: true}]
          """.formatted(hook.getAddress().getPort());
      HttpResponse<String> put = send(s, "PUT", "/api/v1/alerting/config", config, "application/yaml", token);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      HttpResponse<String> silence = send(s, "POST", "/api/v1/silences", """
          {"matchers": [{"name": "alertname", "value": "LoadKnown", "isRegex": false}],
           "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2100-01-01T00:00:00Z", "comment": "planned work"}
          """, "application/json", token);
      assertThat(silence.statusCode()).as(silence.body()).isEqualTo(200);
      String silenceId = TestServer.JSON.readTree(silence.body()).at("/data/silenceID").asText();
      assertThat(silenceId).isNotEmpty();
      HttpResponse<String> rule = send(s, "POST", "/api/v1/alert-rules", """
          {"name": "mute", "interval": "1s", "rules": [
            {"alert": "MemoryCritical", "expr": "node_memory_MemTotal_bytes{node=\\"mute-node\\"} > 0", "level": "critical"},
            {"alert": "MemoryWarning", "expr": "node_memory_MemTotal_bytes{node=\\"mute-node\\"} > 0", "level": "warning"},
            {"alert": "LoadKnown", "expr": "node_load1{node=\\"mute-node\\"} >= 0", "level": "info"}]}
          """, "application/json", token);
      assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);

      Agent agent = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile())
          .enrollmentToken(TestServer.TOKEN).nodeId("mute-node").interval(Duration.ofSeconds(1)).build();
      try {
        agent.start();
        await().atMost(WAIT).until(() -> notified("MemoryCritical"));
        // The dispatcher has the other two and says why they are quiet.
        await().atMost(WAIT).until(() -> {
          JsonNode warn = dispatcherView(s, token, "MemoryWarning");
          JsonNode load = dispatcherView(s, token, "LoadKnown");
          return warn != null && warn.at("/status/inhibited").asBoolean()
              && load != null && load.at("/status/silencedBy").toString().contains(silenceId);
        });
        // Several more evaluation rounds and group flushes: neither is ever sent.
        java.time.Instant since = lastEvaluation(s, token, "mute");
        await().atMost(WAIT).until(() -> lastEvaluation(s, token, "mute").isAfter(since.plusSeconds(3)));
        assertThat(notified("MemoryWarning")).as("inhibited by the critical alert: %s", hooks).isFalse();
        assertThat(notified("LoadKnown")).as("silenced: %s", hooks).isFalse();

        // Expiring the silence lets the alert through at the next flush.
        HttpResponse<String> expire = send(s, "DELETE", "/api/v1/silences/" + silenceId, "", "application/json", token);
        assertThat(expire.statusCode()).as(expire.body()).isEqualTo(200);
        await().atMost(WAIT).until(() -> notified("LoadKnown"));
        assertThat(notified("MemoryWarning")).isFalse();
      } finally {
        agent.close();
      }
    }
  }

  private long statuses(String status) {
    return hooks.stream().filter(h -> h.path("status").asText().equals(status)).count();
  }

  @Test
  void agentCrossesThreshold_webhookAndChineseMail_restartSendsNothingTwice_resolvedWhenAgentGoes()
      throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // the same port after the restart, so the agent reconnects
    }
    try (TestServer s = new TestServer(dir.resolve("data"), Duration.ofSeconds(1), null, b -> b.port(port))) {
      String token = s.login();
      String config = """
          global: {smtp_from: syslens@example.org, smtp_require_tls: false}
          route:
            receiver: hook
            group_by: [alertname, node]
            group_wait: 0s
            group_interval: 1s
            repeat_interval: 1h
            routes:
            - {matchers: ['severity="critical"'], receiver: hook, continue: true}
            - {matchers: ['severity="critical"'], receiver: mail}
          receivers:
          - name: hook
            webhook_configs: [{url: 'http://127.0.0.1:%d/hook', send_resolved: true}]
          - name: mail
            language: zh-CN
            email_configs: [{to: ops@example.org, smarthost: '127.0.0.1:%d', send_resolved: true}]
          """.formatted(hook.getAddress().getPort(), mail.getSmtp().getPort());
      HttpResponse<String> put = send(s, "PUT", "/api/v1/alerting/config", config, "application/yaml", token);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      HttpResponse<String> rule = send(s, "POST", "/api/v1/alert-rules", """
          {"name": "e2e", "interval": "1s", "rules": [
            {"alert": "MemoryPresent", "expr": "node_memory_MemTotal_bytes{node=\\"e2e-node\\"} > 0",
             "level": "critical", "annotations": {"summary": "{{ $labels.node }} has memory"}}]}
          """, "application/json", token);
      assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);

      Agent agent = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile())
          .enrollmentToken(TestServer.TOKEN).nodeId("e2e-node").interval(Duration.ofSeconds(1))
          .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
      try {
        agent.start();
        await().atMost(WAIT).until(() -> agent.state() == AgentState.CONNECTED);

        await().atMost(WAIT).until(() -> statuses("firing") >= 1 && mail.getReceivedMessages().length >= 1);
        JsonNode firing = hooks.get(0);
        assertThat(firing.path("version").asText()).isEqualTo("4");
        assertThat(firing.at("/alerts/0/labels/alertname").asText()).isEqualTo("MemoryPresent");
        assertThat(firing.at("/alerts/0/labels/node").asText()).isEqualTo("e2e-node");
        assertThat(firing.at("/alerts/0/annotations/summary").asText()).isEqualTo("e2e-node has memory");
        MimeMessage m = mail.getReceivedMessages()[0];
        String text = m.getSubject() + "\n" + GreenMailUtil.getBody(m);
        assertThat(text).contains("MemoryPresent");
        assertThat(text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN))
            .as("a Chinese message: %s", m.getSubject()).isTrue();

        // A restart in the middle: the alert stays firing and nothing is sent a second time.
        s.restart();
        String token2 = s.login();
        await().atMost(WAIT).until(() -> TestServer.JSON.readTree(s.get("/api/v1/alerts", token2).body())
            .at("/data/alerts").findValuesAsText("state").contains("firing"));
        await().atMost(WAIT).until(() -> agent.state() == AgentState.CONNECTED);
        long mails = mail.getReceivedMessages().length;
        // Several evaluation rounds after the restart (each hands the firing alert to the
        // notifier again, as Prometheus re-sends): none may turn into a second notification.
        java.time.Instant first = lastEvaluation(s, token2);
        await().atMost(WAIT).until(() -> lastEvaluation(s, token2).isAfter(first.plusSeconds(3)));
        assertThat(statuses("firing")).as("%s", hooks).isEqualTo(1);
        assertThat(mail.getReceivedMessages()).hasSize((int) mails);
      } finally {
        agent.close();
      }
      // The agent goes away: staleness markers end its series at once, the alert resolves.
      await().atMost(WAIT).until(() -> statuses("resolved") >= 1);
      JsonNode resolved = hooks.stream().filter(h -> h.path("status").asText().equals("resolved")).findFirst().orElseThrow();
      assertThat(resolved.at("/alerts/0/labels/node").asText()).isEqualTo("e2e-node");
      await().atMost(WAIT).until(() -> mail.getReceivedMessages().length >= 2);
    }
  }
}
