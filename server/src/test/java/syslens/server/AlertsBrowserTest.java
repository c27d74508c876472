package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the dashboard's alerts area in Debian's headless Chromium (dashboard/e2e/alerts-e2e.mjs):
 * a threshold rule built in the builder fires on samples pushed through the import endpoint, is
 * acknowledged and silenced from the firing page (the silence then expired), shows in the history
 * with its chart; the webhook delivery shows in the log, a bad routing configuration is refused
 * with the server's reason, an anomaly rule built in the builder draws its learned band, and the
 * page reads in Japanese. Screenshots stay in server/target/screenshots/. Needs /usr/bin/chromium;
 * -Dsyslens.skipBrowserTests=true skips it.
 */
class AlertsBrowserTest {
  @TempDir Path dir;

  @Test
  void alertsPages_buildRuleFireAckSilenceHistory_inEnglishAndJapanese() throws Exception {
    BrowserE2e.chromium();
    Path shots = BrowserE2e.SHOTS;

    List<String> hooked = new CopyOnWriteArrayList<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/hook", ex -> {
      hooked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      String token = s.login();
      HttpResponse<String> config = send(s, token, "PUT", "/api/v1/alerting/config", """
          route: {receiver: hook, group_wait: 0s, group_by: [alertname]}
          receivers:
          - name: hook
            webhook_configs: [{url: 'http://127.0.0.1:%d/hook'}]
          """.formatted(hook.getAddress().getPort()));
      assertThat(config.statusCode()).as(config.body()).isEqualTo(200);

      long now = System.currentTimeMillis();
      StringBuilder body = new StringBuilder();
      // A temperature rising across 75 over the last minute: the chart shows the crossing.
      double[] values = {40, 50, 60, 70, 78, 80};
      for (int i = 0; i < values.length; i++) {
        body.append("e2e_temp{host=\"web-1\"} ").append(values[i]).append(' ')
            .append(now - (values.length - 1 - i) * 10_000L).append('\n');
      }
      // Three hours of requests a minute around 100 (a slow wave): training data for the anomaly band.
      int reqs = 180;
      for (int i = 0; i < reqs; i++) {
        body.append("e2e_reqs{host=\"web-1\"} ").append(100 + 10 * Math.sin(i / 15.0)).append(' ')
            .append(now - (reqs - i) * 60_000L).append('\n');
      }
      HttpResponse<String> pushed = send(s, token, "POST", "/api/v1/import/prometheus", body.toString());
      assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
      assertThat(TestServer.JSON.readTree(pushed.body()).at("/data/accepted").asInt())
          .isEqualTo(values.length + reqs);

      BrowserE2e.run(s, "alerts-e2e.mjs", Map.of("METRIC", "e2e_temp", "HOST", "web-1", "ANOMALY_METRIC", "e2e_reqs"),
          Duration.ofSeconds(150));

      // What the browser did is on the server: the acknowledgement, the silence, the audit trail.
      String alerts = s.get("/api/v1/alerting/alerts", token).body();
      assertThat(alerts).contains("\"by\":\"admin\"").contains("looking into it");
      assertThat(s.get("/api/v1/silences?state=active", token).body()).doesNotContain("e2e maintenance");
      String silences = s.get("/api/v1/silences?state=expired", token).body();
      assertThat(silences).contains("e2e maintenance").contains("\"createdBy\":\"admin\"");
      assertThat(s.get("/api/v1/audit", token).body()).contains("alert.rules.create")
          .contains("alert.acknowledged").contains("silence.created").contains("silence.expired");
      // The refused configuration changed nothing: the webhook got the alert.
      assertThat(s.get("/api/v1/receivers", token).body()).contains("\"name\":\"hook\"");
      assertThat(hooked).anySatisfy(b -> assertThat(b).contains("E2EHot"));
      for (String png : new String[] {"alerts-builder.png", "alerts-firing.png", "alerts-history.png",
          "alerts-receivers.png", "alerts-anomaly.png", "alerts-firing-ja.png"}) {
        assertThat(shots.resolve(png)).isNotEmptyFile();
      }
    } finally {
      hook.stop(0);
    }
  }

  private static HttpResponse<String> send(TestServer s, String token, String method, String path, String body)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
            .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
