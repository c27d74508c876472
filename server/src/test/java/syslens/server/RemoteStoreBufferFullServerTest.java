package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote store that is down long enough for the local buffer (1 MiB here) to fill: writes are
 * refused with a retryable 503, {@code /readyz} turns 503 naming the full buffer, the refused
 * samples are counted on /metrics, and all turns back once the store answers again.
 */
class RemoteStoreBufferFullServerTest {
  @TempDir Path dir;

  @Test
  void readyz_bufferFull_503UntilTheStoreTakesItBack() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(VictoriaMetricsPeer.available(), "victoria-metrics not installed");
    try (VictoriaMetricsPeer vm = VictoriaMetricsPeer.start(java.nio.file.Files.createDirectories(dir.resolve("vm")))) {
      URI write = vm.url("/api/v1/write");
      vm.stop();
      try (TestServer server = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10), null,
          b -> b.storage(new StorageSettings(StorageSettings.Kind.PROMETHEUS_REMOTE, write, null, 1 << 20, null)))) {
        String admin = server.login();
        long now = System.currentTimeMillis();
        HttpResponse<String> r = null;
        for (int round = 0; round < 200; round++) {
          StringBuilder text = new StringBuilder();
          for (int i = 0; i < 2000; i++) {
            text.append("full_metric{series=\"s").append(round).append('_').append(i).append("\",pad=\"")
                .append("x".repeat(40)).append("\"} ").append(i).append(' ').append(now - 60_000).append('\n');
          }
          r = server.post("/api/v1/import/prometheus", text.toString(), admin);
          if (r.statusCode() != 200) {
            break;
          }
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.body()).contains("local buffer full");
        HttpResponse<String> ready = server.get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(TestServer.JSON.readTree(ready.body()).at("/failing").toString()).isEqualTo("[\"storage\"]");
        assertThat(TestServer.JSON.readTree(ready.body()).at("/checks/storage/reason").asText())
            .startsWith("remote store: local buffer full since");
        assertThat(server.get("/metrics", admin).body())
            .containsPattern("syslens_remote_samples_dropped_total\\{reason=\"buffer_full\"\\} [1-9]")
            .contains("syslens_remote_healthy 0.0");
        vm.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> server.get("/readyz", null).statusCode() == 200);
      }
    }
  }
}
