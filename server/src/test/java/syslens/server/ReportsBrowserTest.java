package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Drives the Reports page in Debian's headless Chromium (dashboard/e2e/reports-e2e.mjs): runs a
 * report and previews it, creates a schedule, runs it now into GreenMail (the mail arrives in the
 * recipient's language), deletes it; screenshots of both tabs in each language in
 * server/target/screenshots/.
 */
class ReportsBrowserTest {
  @TempDir Path dir;

  @Test
  void reports_runPreviewScheduleAndRunNow_workInTheBrowser() throws Exception {
    GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      String admin = s.login();
      long now = System.currentTimeMillis();
      Appender a = s.server.tsdb().appender();
      for (String n : List.of("vm-1", "vm-2")) {
        for (long t = now - 6 * 3_600_000L; t <= now; t += 60_000) {
          a.append(Labels.of("__name__", "vsphere_vm_cpu_usage_ratio", "node", n, "cluster", "c1"), t, 0.3);
        }
      }
      a.commit();
      HttpResponse<String> cfg = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.base()
          + "/api/v1/alerting/config")).header("Content-Type", "application/yaml").header("Authorization", "Bearer " + admin)
          .PUT(HttpRequest.BodyPublishers.ofString("""
              global: {smtp_from: syslens@example.org, smtp_smarthost: '127.0.0.1:%d', smtp_require_tls: false}
              route: {receiver: default}
              receivers: [{name: default}]
              """.formatted(mail.getSmtp().getPort()))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(cfg.statusCode()).as(cfg.body()).isEqualTo(200);

      BrowserE2e.run(s, "reports-e2e.mjs", Map.of(), Duration.ofSeconds(240));

      assertThat(mail.getReceivedMessages()).hasSize(1);
      assertThat(mail.getReceivedMessages()[0].getSubject()).startsWith("基础设施报告");
      for (String lang : List.of("en", "zh-CN", "ja-JP")) {
        assertThat(BrowserE2e.SHOTS.resolve("reports-history-" + lang + ".png")).isNotEmptyFile();
        assertThat(BrowserE2e.SHOTS.resolve("reports-schedules-" + lang + ".png")).isNotEmptyFile();
      }
    } finally {
      mail.stop();
    }
  }
}
