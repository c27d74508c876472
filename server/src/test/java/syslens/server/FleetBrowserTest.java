package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * Drives the fleet overview and the node list in Debian's headless Chromium (dashboard/e2e/fleet-e2e.mjs)
 * with three real agents: the heat map draws every node on one canvas, its tooltip and click open a
 * node, the list filters and sorts. Screenshots of both pages in each language stay in
 * server/target/screenshots/. Needs /usr/bin/chromium; -Dsyslens.skipBrowserTests=true skips it.
 */
class FleetBrowserTest {
  @TempDir Path dir;

  @Test
  void fleet_overviewHeatMapAndNodeList_workInTheBrowser() throws Exception {
    BrowserE2e.chromium();
    Path shots = BrowserE2e.SHOTS;
    List<String> ids = List.of("fleet-a", "fleet-b", "fleet-c");

    List<Agent> agents = new ArrayList<>();
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1))) {
      try {
        for (String id : ids) {
          Agent a = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile())
              .enrollmentToken(TestServer.TOKEN).nodeId(id).hostname(id).label("rack", "r-" + id)
              .interval(Duration.ofSeconds(1)).build();
          agents.add(a);
          a.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> agents.stream().allMatch(a -> a.state() == AgentState.CONNECTED));
        BrowserE2e.run(s, "fleet-e2e.mjs", Map.of("NODE_IDS", String.join(",", ids)), Duration.ofSeconds(180));
        for (String lang : List.of("en", "zh-CN", "ja-JP")) {
          assertThat(shots.resolve("fleet-overview-" + lang + ".png")).isNotEmptyFile();
          assertThat(shots.resolve("fleet-nodes-" + lang + ".png")).isNotEmptyFile();
        }
      } finally {
        for (Agent a : agents) {
          a.close();
        }
      }
    }
  }
}
