package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
    Assumptions.assumeFalse(Boolean.getBoolean("syslens.skipBrowserTests"), "browser tests skipped by request");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as("Chromium at " + chromium + " (install: apt-get install chromium; or -Dsyslens.skipBrowserTests=true)")
        .isTrue();
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path script = repo.resolve("dashboard/e2e/fleet-e2e.mjs");
    Path shots = Path.of("target/screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    Path log = shots.resolve("fleet-e2e.log");
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
        ProcessBuilder pb = new ProcessBuilder("node", script.toString())
            .directory(repo.resolve("dashboard").toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        pb.environment().put("BASE_URL", s.base() + "/");
        pb.environment().put("SYSLENS_USER", "admin");
        pb.environment().put("SYSLENS_PASSWORD", TestServer.PASSWORD);
        pb.environment().put("NODE_IDS", String.join(",", ids));
        pb.environment().put("CHROMIUM", chromium.toString());
        pb.environment().put("SHOT_DIR", shots.toString());
        Process p = pb.start();
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
          p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("e2e script finished within 180 s; output:\n" + out).isTrue();
        assertThat(p.exitValue()).as("e2e script exit status; output:\n" + out).isZero();
        assertThat(out).contains("e2e: 1 passed, 0 failed");
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
