package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.collect.CollectConfig;
import syslens.agent.collect.CommandSource;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Series;

/** The real Linux collectors and a custom command, end to end through the agent's stream. */
class AgentSourcesTest {

  @TempDir
  Path tmp;

  @Test
  void round_realCollectorsAndCommand_seriesReachTheServer() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(HostInfo.isLinux(), "reads /proc");
    TestCerts ca = TestCerts.newCa("SysLens Test CA");
    try (TestAgentServer server = TestAgentServer.start(ca.issueServer("localhost", "127.0.0.1"), 0)) {
      CollectConfig collect = new CollectConfig(Set.of("hwmon"), 3, Duration.ofSeconds(5), List.of(), List.of(
          CommandSource.of("queue", CommandSource.Format.JSON, List.of("echo", "{\"backlog\": 7}"))));
      Agent agent = Agent.builder().server("127.0.0.1:" + server.port()).caFile(ca.writeCaPem(tmp))
          .enrollmentToken("s3cret-token").nodeId("node-s").hostname("host-s").interval(Duration.ofSeconds(1))
          .collect(collect).build();
      try {
        agent.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> names(server.batches).containsAll(Set.of(
            "backlog", "syslens_command_success", "node_os_info", "node_processes_pids",
            "syslens_process_top_resident_bytes", "node_netstat_Tcp_InSegs")));
        Series backlog = server.batches.stream().flatMap(b -> b.getSeriesList().stream())
            .filter(s -> name(s).equals("backlog")).findFirst().orElseThrow();
        assertThat(backlog.getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
            .containsExactly("__name__=backlog", "command=queue");
        assertThat(backlog.getSamples(0).getValue()).isEqualTo(7.0);
        assertThat(names(server.batches)).doesNotContain("node_hwmon_temp_celsius");
      } finally {
        agent.close();
      }
    }
  }

  private static Set<String> names(List<MetricBatch> batches) {
    return batches.stream().flatMap(b -> b.getSeriesList().stream()).map(AgentSourcesTest::name)
        .collect(Collectors.toSet());
  }

  private static String name(Series s) {
    return s.getLabelsList().stream().filter(l -> l.getName().equals("__name__")).findFirst().orElseThrow()
        .getValue();
  }
}
