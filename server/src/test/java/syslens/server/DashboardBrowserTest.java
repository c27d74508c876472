package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * Drives the real dashboard in Debian's headless Chromium (Playwright, dashboard/e2e): log in,
 * open the node, see CPU data points. The screenshot stays in server/target/screenshots/.
 * Needs /usr/bin/chromium (installed by .ci/run); -Dsyslens.skipBrowserTests=true skips it.
 */
class DashboardBrowserTest {
  @TempDir Path dir;

  @Test
  void dashboard_loginOpenNode_showsLiveCpuChart() throws Exception {
    Assumptions.assumeFalse(Boolean.getBoolean("syslens.skipBrowserTests"), "browser tests skipped by request");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as("Chromium at " + chromium + " (install: apt-get install chromium; or -Dsyslens.skipBrowserTests=true)")
        .isTrue();
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path script = repo.resolve("dashboard/e2e/dashboard-e2e.mjs");
    Path shots = Path.of("target/screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    Path log = shots.resolve("dashboard-e2e.log");

    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1));
        Agent a = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile())
            .enrollmentToken(TestServer.TOKEN).nodeId("e2e-node").interval(Duration.ofSeconds(1)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == AgentState.CONNECTED);
      ProcessBuilder pb = new ProcessBuilder("node", script.toString())
          .directory(repo.resolve("dashboard").toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("BASE_URL", s.base() + "/");
      pb.environment().put("SYSLENS_USER", "admin");
      pb.environment().put("SYSLENS_PASSWORD", TestServer.PASSWORD);
      pb.environment().put("NODE_ID", "e2e-node");
      pb.environment().put("CHROMIUM", chromium.toString());
      pb.environment().put("SCREENSHOT", shots.resolve("dashboard-node-detail.png").toString());
      Process p = pb.start();
      boolean finished = p.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(finished).as("e2e script finished within 120 s; output:\n" + out).isTrue();
      assertThat(p.exitValue()).as("e2e script exit status; output:\n" + out).isZero();
      assertThat(out).contains("e2e: 1 passed, 0 failed");
      assertThat(shots.resolve("dashboard-node-detail.png")).isNotEmptyFile();
    }
  }
}
