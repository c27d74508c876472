package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;
import syslens.security.PostgresServer;

/**
 * Three {@code syslens server} processes (separate JVMs) on loopback ports share one real
 * PostgreSQL 15 (metadata, cluster bus) and one VictoriaMetrics 1.79 (time series); three agents
 * list all three servers. The instance two of them stream to is SIGKILLed mid-stream: they move
 * within seconds, a configuration change and a command issued on another instance reach every
 * agent (relayed over LISTEN/NOTIFY to the instance holding its stream), and once the killed
 * instance is back on its data directory (as systemd or Kubernetes restart it; its disk buffer
 * holds what it acknowledged but had not sent yet) every acknowledged sample is in
 * VictoriaMetrics exactly once. Writers deliver at least once; VictoriaMetrics runs with
 * {@code -dedup.minScrapeInterval=1ms} as production should (without it, a run under load
 * showed two samples of one moved agent stored twice).
 */
@Tag("cluster")
class ClusterFailoverTest {
  private static final String SERIES = "node_load1";
  @TempDir Path dir;
  /** The newest export, for failure messages. */
  private String lastExport = "";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void threeInstances_oneKilledMidStream_agentsMoveCommandsReachAllNoSampleLostOrDoubled() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql)").isTrue();
    assertThat(VictoriaMetricsPeer.available()).as("VictoriaMetrics (apt-get install victoria-metrics)").isTrue();
    Files.createDirectories(dir.resolve("vm"));
    List<ClusterInstance> instances = new ArrayList<>();
    List<Agent> agents = new ArrayList<>();
    try (PostgresServer pg = PostgresServer.start();
        // As docs/operations.md says to run it: delivery is at least once (a batch the killed
        // instance stored but had not acknowledged is resent to another; a send whose cursor was
        // not saved is sent again after its restart), identical samples are kept once.
        VictoriaMetricsPeer vm = VictoriaMetricsPeer.start(dir.resolve("vm/data"), "-dedup.minScrapeInterval=1ms")) {
      String metadataUrl = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres";
      String writeUrl = vm.url("/api/v1/write").toString();
      for (int i = 0; i < 3; i++) {
        instances.add(new ClusterInstance(dir.resolve("s" + i), metadataUrl, writeUrl, "ingest,api,alerting"));
      }
      // The first instance creates the schema, the CA and the secrets; the others share them.
      instances.get(0).start();
      instances.get(0).awaitReady();
      for (ClusterInstance s : instances.subList(1, 3)) {
        s.sharing(instances.get(0)).start();
      }
      instances.get(1).awaitReady();
      instances.get(2).awaitReady();
      JsonNode ready = TestServer.JSON.readTree(instances.get(2).get("/readyz", null).body());
      assertThat(ready.at("/checks/bus/kind").asText()).isEqualTo("postgresql");
      assertThat(ready.at("/failing")).isEmpty();

      String s0 = instances.get(0).hostPort();
      String s1 = instances.get(1).hostPort();
      String s2 = instances.get(2).hostPort();
      List<List<String>> lists = List.of(List.of(s0, s1, s2), List.of(s0, s2, s1), List.of(s1, s2, s0));
      for (int i = 0; i < lists.size(); i++) {
        Agent a = Agent.builder().servers(lists.get(i)).caFile(instances.get(0).data.resolve("tls/ca.crt"))
            .enrollmentToken(TestServer.TOKEN).nodeId("cl-node-" + i).stateDir(dir.resolve("agent" + i))
            .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
            .build();
        agents.add(a);
        a.start();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> agents.stream().allMatch(a ->
          a.state() == AgentState.CONNECTED && a.lastAckedSeq() >= 3));
      assertThat(agents.get(0).currentServer()).isEqualTo(s0);
      assertThat(agents.get(1).currentServer()).isEqualTo(s0);

      // SIGKILL, mid-stream: no goodbye, no flush.
      long killedAt = System.nanoTime();
      instances.get(0).kill();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
          agents.get(0).state() == AgentState.CONNECTED && agents.get(0).currentServer().equals(s1)
              && agents.get(1).state() == AgentState.CONNECTED && agents.get(1).currentServer().equals(s2));
      Duration moved = Duration.ofNanos(System.nanoTime() - killedAt);
      assertThat(moved).as("agents moved to the next server").isLessThan(Duration.ofSeconds(10));
      // The killed instance comes back on its data directory (as systemd or Kubernetes restart it)
      // and sends what it had acknowledged but not sent yet; the agents stay where they are.
      instances.get(0).start();
      long[] afterMove = agents.stream().mapToLong(Agent::lastAckedSeq).toArray();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        for (int i = 0; i < agents.size(); i++) {
          if (agents.get(i).lastAckedSeq() < afterMove[i] + 2) {
            return false;
          }
        }
        return true;
      });

      // Issued on the third instance, which holds only cl-node-1's stream: the others are relayed.
      ClusterInstance third = instances.get(2);
      String admin = third.login();
      for (int i = 0; i < agents.size(); i++) {
        HttpResponse<String> put = third.put("/api/v1/config/nodes/cl-node-" + i,
            "{\"collectors\": {\"hwmon\": false}}", admin);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> agents.stream().allMatch(a ->
          a.remoteConfig().version() > 0));
      for (int i = 0; i < agents.size(); i++) {
        HttpResponse<String> cmd = third.post("/api/v1/commands", "{\"action\": \"collect_now\", \"node\": \"cl-node-"
            + i + "\", \"timeout\": \"10s\"}", admin);
        assertThat(cmd.statusCode()).as(cmd.body()).isEqualTo(200);
        assertThat(TestServer.JSON.readTree(cmd.body()).at("/data/results/0/status").asText())
            .as("command to cl-node-%d: %s", i, cmd.body()).isEqualTo("ok");
      }

      long[] acked = new long[agents.size()];
      long[] sent = new long[agents.size()];
      for (int i = 0; i < agents.size(); i++) {
        agents.get(i).close();
        acked[i] = agents.get(i).lastAckedSeq();
        sent[i] = agents.get(i).lastSeq();
      }
      instances.get(0).awaitReady();
      for (int i = 0; i < agents.size(); i++) {
        String node = "cl-node-" + i;
        long minimum = acked[i];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          vm.flush();
          return timestamps(vm, node).size() >= minimum;
        });
        List<Long> ts = timestamps(vm, node);
        Map<Long, Integer> counts = new TreeMap<>();
        ts.forEach(t -> counts.merge(t, 1, Integer::sum));
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() > 1).toList())
            .as("%s: samples stored twice (timestamp=count)", node).isEmpty();
        // One sample of the series per batch: every acknowledged batch is there, and nothing beyond what was sent.
        assertThat((long) counts.size()).as("%s: batches acked %d, sent %d; export %s", node, acked[i], sent[i],
                lastExport)
            .isBetween(acked[i], sent[i]);
      }
    } finally {
      for (Agent a : agents) {
        a.close();
      }
      for (ClusterInstance s : instances) {
        s.kill();
      }
    }
  }

  /** Every stored timestamp of the node's {@value #SERIES} but staleness markers, from VictoriaMetrics' raw export. */
  private List<Long> timestamps(VictoriaMetricsPeer vm, String node) throws Exception {
    String match = java.net.URLEncoder.encode("{__name__=\"" + SERIES + "\",node=\"" + node + "\"}",
        java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(vm.url("/api/v1/export?match[]=" + match)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    lastExport = r.body();
    List<Long> out = new ArrayList<>();
    Map<String, Integer> series = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode j = TestServer.JSON.readTree(line);
      series.merge(j.get("metric").toString(), 1, Integer::sum);
      JsonNode values = j.get("values");
      JsonNode times = j.get("timestamps");
      for (int i = 0; i < times.size(); i++) {
        // A staleness marker (the stream ended when the agent stopped) is no sample the agent sent.
        JsonNode v = values.get(i);
        // VictoriaMetrics exports a staleness marker as a non-number (null or "NaN").
        if (v.isNumber() && !Double.isNaN(v.asDouble())) {
          out.add(times.get(i).asLong());
        }
      }
    }
    assertThat(series.keySet()).as("one series per node").hasSizeLessThanOrEqualTo(1);
    return out;
  }
}
