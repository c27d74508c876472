package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * Drives the real dashboard in Debian's headless Chromium (dashboard/e2e/dashboard-e2e.mjs) with a
 * real agent: a node's live CPU chart, the time-range picker (7 days, zoom by dragging, Back, a
 * comparison, the link restoring it), a custom dashboard built with a variable and two panels,
 * saved, reloaded, exported and imported, the dark theme and a tablet-sized screen, and axe-core
 * scans of the main pages with no serious or critical violation. Screenshots of each page in each
 * language stay in server/target/screenshots/. Needs /usr/bin/chromium; -Dsyslens.skipBrowserTests=true skips it.
 */
class DashboardBrowserTest {
  @TempDir Path dir;

  @Test
  void dashboard_historyAndCustomDashboards_workInTheBrowser() throws Exception {
    BrowserE2e.chromium();
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1));
        Agent a = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile())
            .enrollmentToken(TestServer.TOKEN).nodeId("e2e-node").interval(Duration.ofSeconds(1)).build()) {
      assertThat(s.get("/", null).statusCode()).as("the dashboard is built into the server jar (run Maven "
          + "without -Dnpm.executable=true)").isEqualTo(200);
      a.start();
      await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == AgentState.CONNECTED);
      String out = BrowserE2e.run(s, "dashboard-e2e.mjs", Map.of("NODE_ID", "e2e-node"), Duration.ofSeconds(420));
      assertThat(out).contains("axe overview", "axe node detail", "axe dashboard (dark)", "axe alerts");
      for (String lang : List.of("en", "zh-CN", "ja-JP")) {
        assertThat(BrowserE2e.SHOTS.resolve("node-detail-" + lang + ".png")).isNotEmptyFile();
        assertThat(BrowserE2e.SHOTS.resolve("dashboard-" + lang + ".png")).isNotEmptyFile();
      }
      assertThat(BrowserE2e.SHOTS.resolve("dashboard-tablet.png")).isNotEmptyFile();
      // The dashboards the browser saved are on the server: the one built and its imported copy.
      String list = s.get("/api/v1/dashboards", s.login()).body();
      assertThat(list).contains("\"E2E hosts\"", "\"E2E imported\"");
    }
  }
}
