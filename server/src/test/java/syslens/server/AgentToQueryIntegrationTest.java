package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * The walking skeleton end to end: a real server on port 0 with a temp data directory, a real
 * agent in-process reading this machine's /proc, queries through the HTTP API, live pushes over
 * the WebSocket, and a server restart that keeps the data.
 */
class AgentToQueryIntegrationTest {
  static final Duration INTERVAL = Duration.ofSeconds(1);

  @TempDir Path dir;

  private static Agent agent(TestServer s, String token) {
    return Agent.builder()
        .server("localhost", s.port())
        .caFile(s.server.tls().caCertFile())
        .enrollmentToken(token)
        .nodeId("it-node")
        .label("env", "test")
        .interval(INTERVAL)
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
        .build();
  }

  @Test
  void samples_becomeQueryableWithinTwoIntervals_andSurviveRestart() throws Exception {
    try (TestServer s = new TestServer(dir, INTERVAL)) {
      String token = s.login();
      long connectedAt;
      long firstSeenAt;
      try (Agent a = agent(s, TestServer.TOKEN)) {
        a.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == AgentState.CONNECTED);
        connectedAt = System.currentTimeMillis();
        JsonNode[] result = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
          long now = System.currentTimeMillis();
          result[0] = s.queryRange(token, "node_cpu_seconds_total{node=\"it-node\",mode=\"idle\"}",
              now - 60_000, now, "1s");
          return result[0].at("/data/result").size() > 0;
        });
        firstSeenAt = System.currentTimeMillis();
        assertThat(firstSeenAt - connectedAt).as("ms from connect to queryable")
            .isLessThanOrEqualTo(2 * INTERVAL.toMillis() + 500);
        JsonNode series = result[0].at("/data/result/0");
        assertThat(series.at("/metric/instance").asText()).isNotEmpty();
        assertThat(series.at("/metric/env").asText()).isEqualTo("test");
        assertThat(series.at("/metric/cpu").asText()).isNotEmpty();

        // A live client sees samples with a computed CPU percentage.
        List<String> live = new CopyOnWriteArrayList<>();
        WebSocket ws = s.live(token, live);
        await().atMost(Duration.ofSeconds(10)).until(() -> live.stream().anyMatch(
            m -> m.contains("\"type\":\"sample\"") && m.contains("\"nodeId\":\"it-node\"") && !m.contains("\"cpuPercent\":null")));
        assertThat(live.get(0)).contains("\"type\":\"snapshot\"").contains("it-node");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        // Node list shows the node online with headline numbers.
        JsonNode nodes = TestServer.JSON.readTree(s.get("/api/v1/nodes", token).body());
        JsonNode n = nodes.at("/data/0");
        assertThat(n.get("id").asText()).isEqualTo("it-node");
        assertThat(n.get("status").asText()).isEqualTo("online");
        assertThat(n.get("cpuPercent").isNumber()).isTrue();
        assertThat(n.get("memoryPercent").asDouble()).isBetween(0.0, 100.0);

        // The query subset works on live data: CPU % per node.
        long now = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(10)).until(() -> s.queryRange(token,
            "100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode=\"idle\"}[5s])))",
            System.currentTimeMillis() - 10_000, System.currentTimeMillis(), "1s").at("/data/result/0/values").size() > 0);
        // Enough rounds that the 1 s steps below see several samples before the staleness marker.
        await().atMost(Duration.ofSeconds(15)).until(() -> a.lastAckedSeq() >= 5);
      }
      // Agent gone: the node goes offline.
      await().atMost(Duration.ofSeconds(10)).until(() -> TestServer.JSON.readTree(
          s.get("/api/v1/nodes", token).body()).at("/data/0/status").asText().equals("offline"));

      long end = System.currentTimeMillis();
      JsonNode before = s.queryRange(token, "node_memory_MemTotal_bytes{node=\"it-node\"}", end - 120_000, end, "1s");
      int pointsBefore = before.at("/data/result/0/values").size();
      assertThat(pointsBefore).isGreaterThan(1);

      s.restart();
      String token2 = s.login();
      JsonNode after = s.queryRange(token2, "node_memory_MemTotal_bytes{node=\"it-node\"}", end - 120_000, end, "1s");
      assertThat(after.at("/data/result/0/values")).isEqualTo(before.at("/data/result/0/values"));
      // The node registry survived too.
      assertThat(s.get("/api/v1/nodes", token2).body()).contains("it-node");
    }
  }

  @Test
  void agent_wrongToken_isRejectedOnceAndStops() throws Exception {
    try (TestServer s = new TestServer(dir, INTERVAL); Agent a = agent(s, "not-the-token")) {
      a.start();
      assertThat(a.awaitStopped(Duration.ofSeconds(15))).isTrue();
      assertThat(a.state()).isEqualTo(AgentState.STOPPED_FATAL);
      assertThat(a.lastRejectReason()).contains("enrollment refused: wrong enrollment token");
      long attempts = a.connectAttempts();
      assertThat(attempts).isEqualTo(1);
    }
  }
}
