package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with {@code --storage prometheus-remote} on Debian's VictoriaMetrics: samples ingested
 * through SysLens are answered by SysLens's PromQL API from the store, the store's outage leaves
 * the server ready (writes buffered on disk, named in /readyz), and every sample arrives after it.
 */
class RemoteStoreServerTest {
  @TempDir static Path dir;
  static VictoriaMetricsPeer vm;
  static TestServer server;
  static String admin;
  static final long NOW = System.currentTimeMillis() / 1000 * 1000;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(VictoriaMetricsPeer.available(), "victoria-metrics not installed");
    vm = VictoriaMetricsPeer.start(java.nio.file.Files.createDirectories(dir.resolve("vm")));
    server = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10), null,
        b -> b.storage(StorageSettings.prometheusRemote(vm.url("/api/v1/write"))));
    admin = server.login();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vm != null) {
      vm.close();
    }
  }

  private static void importSeries(String name, int from, int to) throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = from; i < to; i++) {
      text.append(name).append("{disk=\"sda\"} ").append(i * 0.5).append(' ').append(NOW - 600_000 + i * 1000L)
          .append('\n');
    }
    HttpResponse<String> r = server.post("/api/v1/import/prometheus", text.toString(), admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** Samples of {@code name} the store holds, counted by SysLens's engine over what it reads. */
  private static int stored(String name) throws Exception {
    vm.flush();
    HttpResponse<String> r = server.get("/api/v1/query?query=count_over_time(" + name + "%5B15m%5D)&time="
        + NOW / 1000, admin);
    JsonNode value = TestServer.JSON.readTree(r.body()).at("/data/result/0/value/1");
    return value.isMissingNode() ? 0 : Integer.parseInt(value.asText());
  }

  @Test
  void queryRange_afterImport_answersTheImportedValuesFromTheStore() throws Exception {
    importSeries("rs_io", 0, 120);
    await().atMost(Duration.ofSeconds(20)).until(() -> stored("rs_io") == 120);
    JsonNode range = server.queryRange(admin, "rs_io", NOW - 600_000, NOW - 600_000 + 119_000, "1s");
    JsonNode values = range.at("/data/result/0/values");
    assertThat(values.size()).isEqualTo(120);
    for (int i = 0; i < 120; i++) {
      assertThat(values.get(i).get(0).asDouble()).isEqualTo((NOW - 600_000 + i * 1000L) / 1000.0);
      assertThat(Double.parseDouble(values.get(i).get(1).asText())).isEqualTo(i * 0.5);
    }
    assertThat(range.at("/data/result/0/metric/disk").asText()).isEqualTo("sda");
    JsonNode names = TestServer.JSON.readTree(server.get("/api/v1/label/__name__/values", admin).body());
    assertThat(names.path("data").toString()).contains("\"rs_io\"");
    String metrics = server.get("/metrics", admin).body();
    assertThat(metrics).contains("syslens_remote_samples_sent_total").contains("syslens_remote_store_up 1.0");
  }

  @Test
  void readyz_whileTheStoreIsDown_staysReadyNamesItAndEverySampleArrivesAfter() throws Exception {
    importSeries("rs_outage", 0, 50);
    await().atMost(Duration.ofSeconds(20)).until(() -> stored("rs_outage") == 50);
    vm.stop();
    try {
      importSeries("rs_outage", 50, 150);
      await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/readyz", null).body().contains("degraded"));
      HttpResponse<String> ready = server.get("/readyz", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("remote store http://127.0.0.1:").contains("buffered on local disk");
      // Reads need the store: the query API says so instead of answering nothing.
      HttpResponse<String> q = server.get("/api/v1/query?query=rs_outage", admin);
      assertThat(q.statusCode()).isGreaterThanOrEqualTo(500);
      assertThat(q.body()).contains("remote store");
    } finally {
      vm.start();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> stored("rs_outage") == 150);
    // The buffer drains before the storage check's next probe marks the store up again: wait for it.
    await().atMost(Duration.ofSeconds(30)).until(() -> TestServer.JSON.readTree(server.get("/readyz", null).body())
        .at("/checks/storage/status").asText().equals("ok"));
  }
}
