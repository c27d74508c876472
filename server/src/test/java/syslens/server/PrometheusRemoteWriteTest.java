package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus 2.42 scrapes Debian's node_exporter every second and remote-writes to a
 * real SysLens server with a bearer API key; what SysLens stored must be what Prometheus stored:
 * the same series with the same samples over the same time range, read back through each one's
 * HTTP API.
 */
class PrometheusRemoteWriteTest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");

  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Process start(Path log, String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private JsonNode get(String url, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return TestServer.JSON.readTree(r.body());
  }

  /** series labels -> [(ms, value)] from a matrix result of {@code {job="node"}[range]} at {@code t}. */
  private Map<String, List<String>> rawSamples(String base, String bearer, long tMs) throws Exception {
    JsonNode body = get(base + "/api/v1/query?query=" + TestServer.enc("{job=\"node\"}[15s]") + "&time="
        + tMs / 1000.0, bearer);
    assertThat(body.path("status").asText()).as(body.toString()).isEqualTo("success");
    Map<String, List<String>> out = new TreeMap<>();
    for (JsonNode s : body.at("/data/result")) {
      List<String> samples = new ArrayList<>();
      for (JsonNode v : s.get("values")) {
        samples.add(Math.round(v.get(0).asDouble() * 1000) + "=" + Double.parseDouble(v.get(1).asText()));
      }
      out.put(new TreeMap<>(TestServer.JSON.convertValue(s.get("metric"), Map.class)).toString(), samples);
    }
    return out;
  }

  @Test
  void remoteWrite_fromPrometheusScrapingNodeExporter_storesWhatPrometheusStored() throws Exception {
    assertThat(PROMETHEUS).as("Debian package prometheus").isExecutable();
    assertThat(NODE_EXPORTER).as("Debian package prometheus-node-exporter").isExecutable();
    try (TestServer s = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10))) {
      HttpResponse<String> created = s.post("/api/v1/apikeys",
          "{\"name\":\"prometheus\",\"scopes\":[\"monitoring:metrics:write\"]}", s.login());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String key = TestServer.JSON.readTree(created.body()).at("/data/key").asText();

      int exporterPort = freePort();
      start(dir.resolve("node_exporter.log"), NODE_EXPORTER.toString(),
          "--web.listen-address=127.0.0.1:" + exporterPort, "--collector.disable-defaults",
          "--collector.loadavg", "--collector.meminfo", "--collector.stat", "--collector.time");
      int promPort = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
          scrape_configs:
            - job_name: node
              static_configs:
                - targets: ['127.0.0.1:%d']
          remote_write:
            - url: http://127.0.0.1:%d/api/v1/write
              authorization:
                credentials: %s
              queue_config:
                batch_send_deadline: 500ms
                min_backoff: 100ms
          """.formatted(exporterPort, s.port(), key));
      start(dir.resolve("prometheus.log"), PROMETHEUS.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + promPort);
      String prom = "http://127.0.0.1:" + promPort;

      // A few scrapes have reached SysLens (one login: the server allows 20 a minute per client).
      String token = s.login();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
          get(s.base() + "/api/v1/query?query=" + TestServer.enc("count_over_time(up{job=\"node\"}[1m])"),
              token).at("/data/result/0/value/1").asInt(0) >= 7);
      long t = System.currentTimeMillis() - 2000;
      Map<String, List<String>>[] both = new Map[2];
      // Remote-write shards may still hold the last samples before t: wait until they arrived.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
        both[0] = rawSamples(prom, null, t);
        both[1] = rawSamples(s.base(), token, t);
        return both[0].equals(both[1]);
      });
      assertThat(both[1]).isEqualTo(both[0]);
      System.out.printf("remote-write vs Prometheus over 15 s: %d series, %d samples, identical%n",
          both[0].size(), both[0].values().stream().mapToInt(List::size).sum());
      assertThat(both[0].keySet()).as("series")
          .anyMatch(l -> l.contains("__name__=node_load1"))
          .anyMatch(l -> l.contains("__name__=node_memory_MemTotal_bytes"))
          .anyMatch(l -> l.contains("__name__=up"));
      assertThat(both[0].values().stream().mapToInt(List::size).sum()).as("samples").isGreaterThan(100);
      assertThat(both[0].get("{__name__=up, instance=127.0.0.1:" + exporterPort + ", job=node}"))
          .hasSizeGreaterThanOrEqualTo(4);
      // Nothing was refused on the way.
      String metrics = http.send(HttpRequest.newBuilder(URI.create(s.base() + "/metrics"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("syslens_ingest_batches_total{source=\"remote_write\"}")
          .doesNotContain("rejected_samples_total{reason=\"out_of_order\",source=\"remote_write\"}");
    }
  }
}
