package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * The control plane against a real server and in-process agents: configuration pushed live and
 * applied without a restart, invalid configuration refused before any agent sees it, the running
 * version reported, commands to a node and to a group with per-node results, offline nodes.
 */
class ControlPlaneTest {
  @TempDir static Path dir;
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), Duration.ofSeconds(1));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Agent agent(String node, AtomicInteger restarts) {
    return Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .enrollmentToken(TestServer.TOKEN).nodeId(node).stateDir(dir.resolve(node)).interval(Duration.ofSeconds(1))
        .heartbeatInterval(Duration.ofMillis(500)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
        .onRestart(restarts::incrementAndGet).build();
  }

  private static Agent connected(String node, AtomicInteger restarts) {
    Agent a = agent(node, restarts);
    a.start();
    // Enrolment hands the agent its client certificate and ends that stream; connected means the
    // stream it opened afterwards over mutual TLS.
    await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null
        && a.connectAttempts() >= 2 && a.state() == AgentState.CONNECTED);
    return a;
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body());
  }

  private static long nodeConfigVersion(String node) throws Exception {
    for (JsonNode n : json(server.get("/api/v1/nodes", admin)).get("data")) {
      if (n.get("id").asText().equals(node)) {
        return n.get("configVersion").asLong();
      }
    }
    return -1;
  }

  @Test
  void groupConfig_pushedLive_appliedWithoutRestartAndVersionReported() throws Exception {
    try (Agent a = connected("cfg-node", new AtomicInteger())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> a.lastRoundSeries() > 0);
      int seriesBefore = a.lastRoundSeries();
      assertThat(server.put("/api/v1/nodes/cfg-node/group", "{\"group\": \"web\"}", admin).statusCode()).isEqualTo(200);
      HttpResponse<String> put = server.put("/api/v1/config/groups/web", """
          {"interval": "2s", "collectors": {"cpu": false},
           "scrapeTargets": [{"url": "http://127.0.0.1:9100/metrics", "labels": {"job": "node"}}],
           "customCommands": [{"name": "hello", "command": ["echo", "hi"], "timeout": "5s", "format": "prometheus"}]}
          """, admin);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      long version = json(put).at("/data/version").asLong();

      await().atMost(Duration.ofSeconds(10)).until(() -> a.remoteConfig().version() == version);
      assertThat(a.interval()).isEqualTo(Duration.ofSeconds(2));
      assertThat(a.remoteConfig().disabledCollectors()).containsExactly("cpu");
      assertThat(a.remoteConfig().scrapeTargets()).singleElement()
          .satisfies(t -> assertThat(t.url()).isEqualTo("http://127.0.0.1:9100/metrics"));
      assertThat(a.remoteConfig().customCommands()).singleElement()
          .satisfies(c -> assertThat(c.argv()).containsExactly("echo", "hi"));
      await().atMost(Duration.ofSeconds(10)).until(() -> a.lastRoundSeries() > 0 && a.lastRoundSeries() < seriesBefore);
      assertThat(a.connectAttempts()).as("applied on the open stream, no reconnect").isEqualTo(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> nodeConfigVersion("cfg-node") == version);

      // A node's own setting overrides its group's and gives a higher version.
      HttpResponse<String> own = server.put("/api/v1/config/nodes/cfg-node", "{\"interval\": \"3s\"}", admin);
      long v2 = json(own).at("/data/version").asLong();
      assertThat(v2).isGreaterThan(version);
      await().atMost(Duration.ofSeconds(10)).until(() -> a.remoteConfig().version() == v2);
      assertThat(a.interval()).isEqualTo(Duration.ofSeconds(3));
      assertThat(a.remoteConfig().disabledCollectors()).containsExactly("cpu");
      JsonNode eff = json(server.get("/api/v1/config/nodes/cfg-node/effective", admin)).get("data");
      assertThat(eff.get("version").asLong()).isEqualTo(v2);
      assertThat(eff.at("/config/interval").asText()).isEqualTo("3s");
      assertThat(eff.get("group").asText()).isEqualTo("web");
      assertThat(json(server.get("/api/v1/config/groups/web/history", admin)).get("data")).hasSize(1);
    }
  }

  @Test
  void nodes_filteredPagedAndDecommissioned_onlyWithoutStream() throws Exception {
    Agent a = connected("dec-node-1", new AtomicInteger());
    try (Agent b = connected("dec-node-2", new AtomicInteger())) {
      HttpResponse<String> page = server.get("/api/v1/nodes?search=DEC-NODE&status=online&limit=1&offset=1", admin);
      assertThat(page.headers().firstValue("X-Total-Count")).hasValue("2");
      assertThat(json(page).at("/data/0/id").asText()).isEqualTo("dec-node-2");
      assertThat(server.get("/api/v1/nodes?status=asleep", admin).statusCode()).isEqualTo(400);
      assertThat(server.delete("/api/v1/nodes/dec-node-1", admin).statusCode()).as("connected").isEqualTo(409);
      a.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> json(server.get("/api/v1/nodes?search=dec-node-1", admin))
          .at("/data/0/status").asText().equals("offline"));
      assertThat(server.delete("/api/v1/nodes/dec-node-1", admin).statusCode()).isEqualTo(200);
      assertThat(json(server.get("/api/v1/nodes?search=dec-node", admin)).get("data")).hasSize(1);
      assertThat(server.delete("/api/v1/nodes/dec-node-1", admin).statusCode()).isEqualTo(404);
    } finally {
      a.close();
    }
  }

  @Test
  void invalidConfig_refusedNamingTheField_beforeAnyAgentSeesIt() throws Exception {
    try (Agent a = connected("strict-node", new AtomicInteger())) {
      assertThat(server.put("/api/v1/config/nodes/strict-node", "{\"interval\": \"2s\"}", admin).statusCode())
          .isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> a.interval().equals(Duration.ofSeconds(2)));
      long version = a.remoteConfig().version();
      String[][] bad = {
          {"{\"interval\": \"5ms\"}", "interval: 5ms (expected: 1s..1h)"},
          {"{\"scrapeTargets\": [{\"url\": \"ftp://host/metrics\"}]}", "scrapeTargets[0].url"},
          {"{\"customCommands\": [{\"name\": \"x\", \"command\": []}]}", "customCommands[0].command"},
          {"{\"collectors\": {\"cpu\": \"off\"}}", "collectors.cpu: STRING (expected: true or false)"},
          {"{\"limits\": {\"maxSeries\": 0}}", "limits.maxSeries"},
          {"{\"intervall\": \"5s\"}", "intervall: unknown field"},
          {"[1]", "body: not a JSON object"},
      };
      for (String[] b : bad) {
        HttpResponse<String> r = server.put("/api/v1/config/nodes/strict-node", b[0], admin);
        assertThat(r.statusCode()).as(b[0]).isEqualTo(400);
        assertThat(json(r).get("error").asText()).as(b[0]).contains(b[1]);
      }
      assertThat(json(server.get("/api/v1/config/nodes/strict-node/history", admin)).get("data")).hasSize(1);
      Thread.sleep(1500); // two heartbeats: nothing more arrives
      assertThat(a.remoteConfig().version()).isEqualTo(version);
      assertThat(a.interval()).isEqualTo(Duration.ofSeconds(2));
      assertThat(a.connectAttempts()).as("no reconnect").isEqualTo(2);
    }
  }

  @Test
  void commands_toNodeAndGroup_perNodeResultsOfflineReportedAndAudited() throws Exception {
    AtomicInteger restarts = new AtomicInteger();
    List<Agent> agents = new ArrayList<>();
    try {
      agents.add(connected("cmd-a", restarts));
      agents.add(connected("cmd-b", restarts));
      try (Agent gone = connected("cmd-gone", restarts)) {
        assertThat(gone.state()).isEqualTo(AgentState.CONNECTED);
      }
      for (String n : List.of("cmd-a", "cmd-b", "cmd-gone")) {
        assertThat(server.put("/api/v1/nodes/" + n + "/group", "{\"group\": \"batch\"}", admin).statusCode())
            .isEqualTo(200);
      }
      assertThat(server.put("/api/v1/config/groups/batch",
          "{\"customCommands\": [{\"name\": \"greet\", \"command\": [\"echo\", \"hello from the agent\"]}]}", admin)
          .statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> agents.stream()
          .allMatch(x -> x.remoteConfig().customCommands().size() == 1));

      JsonNode one = json(server.post("/api/v1/commands", "{\"action\": \"diagnostics\", \"node\": \"cmd-a\"}", admin));
      assertThat(one.at("/data/results/0/status").asText()).as(one.toString()).isEqualTo("ok");
      assertThat(one.at("/data/results/0/output").asText()).contains("node cmd-a", "config version");

      JsonNode group = json(server.post("/api/v1/commands",
          "{\"action\": \"run_command\", \"group\": \"batch\", \"args\": {\"name\": \"greet\"}, \"timeout\": \"10s\"}",
          admin));
      List<String> outcomes = new ArrayList<>();
      group.at("/data/results").forEach(r -> outcomes.add(r.get("node").asText() + "=" + r.get("status").asText()));
      assertThat(outcomes).as(group.toString()).containsExactly("cmd-a=ok", "cmd-b=ok", "cmd-gone=offline");
      assertThat(group.at("/data/results/0/output").asText()).contains("hello from the agent");

      JsonNode collect = json(server.post("/api/v1/commands", "{\"action\": \"collect_now\", \"node\": \"cmd-b\"}", admin));
      assertThat(collect.at("/data/results/0/output").asText()).startsWith("collected ");
      JsonNode restart = json(server.post("/api/v1/commands", "{\"action\": \"restart\", \"node\": \"cmd-b\"}", admin));
      assertThat(restart.at("/data/results/0/status").asText()).isEqualTo("ok");
      await().atMost(Duration.ofSeconds(5)).until(() -> restarts.get() == 1);

      HttpResponse<String> shell = server.post("/api/v1/commands",
          "{\"action\": \"shell\", \"node\": \"cmd-a\", \"args\": {\"command\": \"id\"}}", admin);
      assertThat(shell.statusCode()).isEqualTo(400);
      assertThat(json(shell).get("error").asText()).contains("action: \"shell\"", "--allow-shell-commands");
      HttpResponse<String> both = server.post("/api/v1/commands",
          "{\"action\": \"diagnostics\", \"node\": \"cmd-a\", \"group\": \"batch\"}", admin);
      assertThat(json(both).get("error").asText()).contains("node, group: both given");

      List<String> audit = new ArrayList<>();
      json(server.get("/api/v1/audit?limit=1000", admin)).get("data")
          .forEach(e -> audit.add(e.get("action").asText() + " " + e.get("target").asText()));
      assertThat(audit).contains("command.run_command cmd-gone", "command.diagnostics cmd-a", "config.saved group:batch");
      // A configuration change is audited with the configuration before and after.
      String saved = server.get("/api/v1/audit?action=config.saved&limit=10", admin).body();
      assertThat(saved).contains("before: none").contains("after: {").contains("hello from the agent");
    } finally {
      agents.forEach(Agent::close);
    }
  }
}
