package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with {@code --storage influxdb} on Debian's InfluxDB 1.6 (started by the test):
 * samples imported through SysLens answer the dashboard's node panels (the queries of the
 * built-in node dashboard), the node page's charts of vSphere VMs and ESXi hosts, {@code
 * /api/v1/series}, a filesystem breakdown with Windows mountpoints ({@code C:\}), and a
 * utilization and rightsizing report from InfluxDB.
 */
class InfluxStoreServerTest {
  private static final Path INFLUXD = Path.of("/usr/bin/influxd");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  @Test
  void dashboardPanelsAndReports_onInfluxDb_answerTheImportedSeries() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(INFLUXD), "influxdb not installed");
    int port = ClusterInstance.freePort();
    Process influx = startInflux(dir.resolve("influx"), port);
    try {
      URI write = URI.create("http://127.0.0.1:" + port + "/write?db=syslens&precision=ms");
      StorageSettings influxdb = new StorageSettings(StorageSettings.Kind.INFLUXDB, write, null,
          StorageSettings.DEFAULT_BUFFER_BYTES, null);
      try (TestServer server = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10), null,
          b -> b.storage(influxdb))) {
        String admin = server.login();
        long now = System.currentTimeMillis() / 60_000 * 60_000;
        long from = now - 6 * 3_600_000L;
        // Two VMs with agents: 6 h at one sample a minute, 10 % CPU used (idle counter +54 s a minute),
        // memory 75 % used, load 1.5, the fullest disk 40 % used; the vSphere usage ratios the reports read.
        StringBuilder text = new StringBuilder();
        int points = 0;
        for (String node : List.of("a1", "b1")) {
          String l = "{node=\"" + node + "\",group=\"team\"}";
          for (long t = from, i = 0; t <= now; t += 60_000, i++) {
            text.append("node_cpu_seconds_total{node=\"").append(node).append("\",cpu=\"0\",mode=\"idle\"} ")
                .append(i * 54).append(' ').append(t).append('\n');
            text.append("node_memory_MemAvailable_bytes").append(l).append(" 2147483648 ").append(t).append('\n');
            text.append("node_memory_MemTotal_bytes").append(l).append(" 8589934592 ").append(t).append('\n');
            text.append("node_load1").append(l).append(node.equals("a1") ? " 1.5 " : " 0.5 ").append(t).append('\n');
            text.append("node_filesystem_avail_bytes").append(l).append(" 60 ").append(t).append('\n');
            text.append("node_filesystem_size_bytes").append(l).append(" 100 ").append(t).append('\n');
            text.append("vsphere_vm_cpu_usage_ratio").append(l).append(node.equals("a1") ? " 0.02 " : " 0.9 ")
                .append(t).append('\n');
            text.append("vsphere_vm_memory_usage_ratio").append(l).append(" 0.05 ").append(t).append('\n');
            points++;
          }
        }
        HttpResponse<String> imported = server.post("/api/v1/import/prometheus", text.toString(), admin);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        int expected = points / 2; // per node
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
            assertThat(scalar(server, admin, "count_over_time(vsphere_vm_memory_usage_ratio{node=\"b1\"}[7h])", now))
                .as("import answered %s", imported.body()).isEqualTo(expected));

        // The node dashboard's panels (dashboard/src: built-in node dashboard), $node = .*, last hour.
        String n = "{node=~\".*\"}";
        Map<String, Double> panels = Map.of(
            "100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode=\"idle\",node=~\".*\"}[5m])))", 10.0,
            "100 * (1 - node_memory_MemAvailable_bytes" + n + " / node_memory_MemTotal_bytes" + n + ")", 75.0,
            "max(node_load1" + n + ")", 1.5,
            "100 * max(1 - node_filesystem_avail_bytes" + n + " / node_filesystem_size_bytes" + n + ")", 40.0);
        for (Map.Entry<String, Double> p : panels.entrySet()) {
          JsonNode range = server.queryRange(admin, p.getKey(), now - 3_600_000, now, "60s");
          assertThat(range.at("/status").asText()).as(p.getKey() + ": " + range).isEqualTo("success");
          JsonNode result = range.at("/data/result");
          assertThat(result.size()).as(p.getKey()).isPositive();
          for (JsonNode series : result) {
            assertThat(series.path("values").size()).as(p.getKey()).isEqualTo(61);
            for (JsonNode v : series.path("values")) {
              assertThat(Double.parseDouble(v.get(1).asText())).as(p.getKey()).isCloseTo(p.getValue(),
                  org.assertj.core.data.Offset.offset(1e-6));
            }
          }
        }

        // A report over the same 6 h: both VMs, a1 idle (rightsizing candidate), b1 busy.
        HttpResponse<String> r = server.post("/api/v1/reports", "{\"kind\": [\"utilization\", \"rightsizing\"], "
            + "\"period\": \"6h\", \"format\": \"csv\"}", admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode report = TestServer.JSON.readTree(r.body()).get("data");
        assertThat(report.get("nodes").asInt()).as(r.body()).isEqualTo(2);
        String csv = server.get("/api/v1/reports/" + report.get("id").asText() + "/file", admin).body();
        assertThat(csv).contains("a1").contains("b1");
        String preview = server.get("/api/v1/reports/" + report.get("id").asText() + "/preview", admin).body();
        assertThat(preview).contains("\"a1\"").contains("\"b1\"");
        assertThat(preview).as("b1's CPU in the utilization table").containsAnyOf("90.0", "90%", "0.9");

        nodePagesOfVsphereNodesAndSeries(server, admin, now); // after the report: more nodes
      }
    } finally {
      influx.destroy();
      if (!influx.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        influx.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * The node page's charts of a vSphere VM and an ESXi host (dashboard/src/lib/promql.ts
   * nodeQueries for kinds vm and esxi, window 1m), {@code /api/v1/series}, and a Windows agent's
   * filesystem breakdown whose mountpoint ends in a backslash.
   */
  private static void nodePagesOfVsphereNodesAndSeries(TestServer server, String admin, long now) throws Exception {
    String vm = "vm:lab:5003a1b2-0001-0007-000d-000000019919";
    String esxi = "esxi:lab:host-20";
    String[] kinds = {"cpu_usage_ratio", "memory_usage_ratio", "net_received_bytes_per_second",
        "net_transmitted_bytes_per_second", "disk_read_bytes_per_second", "disk_write_bytes_per_second"};
    double[] values = {0.25, 0.5, 1000, 2000, 3000, 4000};
    StringBuilder text = new StringBuilder();
    for (long t = now - 3_660_000; t <= now; t += 60_000) {
      for (int k = 0; k < kinds.length; k++) {
        text.append("vsphere_vm_").append(kinds[k]).append("{node=\"").append(vm)
            .append("\",vcenter=\"lab\",vm=\"app-1\"} ").append(values[k]).append(' ').append(t).append('\n');
        text.append("vsphere_host_").append(kinds[k]).append("{node=\"").append(esxi)
            .append("\",vcenter=\"lab\",esxhost=\"esx-0\"} ").append(values[k] * 2).append(' ').append(t)
            .append('\n');
      }
      for (String mp : List.of("C:\\\\", "D:\\\\")) { // "C:\\" in the exposition format: C:\
        text.append("node_filesystem_avail_bytes{node=\"win-1\",fstype=\"NTFS\",mountpoint=\"").append(mp)
            .append("\"} 30 ").append(t).append('\n');
        text.append("node_filesystem_size_bytes{node=\"win-1\",fstype=\"NTFS\",mountpoint=\"").append(mp)
            .append("\"} 100 ").append(t).append('\n');
      }
    }
    HttpResponse<String> imported = server.post("/api/v1/import/prometheus", text.toString(), admin);
    assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(scalar(server, admin, "count(count_over_time(node_filesystem_size_bytes{node=\"win-1\"}[2h]))", now))
            .as("import answered %s", imported.body()).isEqualTo(2));

    for (String node : List.of(vm, esxi)) {
      String p = node.startsWith("vm:") ? "vsphere_vm" : "vsphere_host";
      double scale = node.startsWith("vm:") ? 1 : 2;
      String n = "node=\"" + node + "\"";
      Map<String, Double> charts = Map.of(
          "100 * max by (node) (avg_over_time(" + p + "_cpu_usage_ratio{" + n + "}[1m]))", 25.0 * scale,
          "100 * max by (node) (avg_over_time(" + p + "_memory_usage_ratio{" + n + "}[1m]))", 50.0 * scale,
          "sum by (node) (avg_over_time(" + p + "_net_received_bytes_per_second{" + n + "}[1m]))", 1000 * scale,
          "sum by (node) (avg_over_time(" + p + "_net_transmitted_bytes_per_second{" + n + "}[1m]))", 2000 * scale,
          "sum by (node) (avg_over_time(" + p + "_disk_read_bytes_per_second{" + n + "}[1m]))", 3000 * scale,
          "sum by (node) (avg_over_time(" + p + "_disk_write_bytes_per_second{" + n + "}[1m]))", 4000 * scale);
      for (Map.Entry<String, Double> c : charts.entrySet()) {
        JsonNode range = server.queryRange(admin, c.getKey(), now - 3_600_000, now, "60s");
        assertThat(range.at("/status").asText()).as(c.getKey() + ": " + range).isEqualTo("success");
        JsonNode result = range.at("/data/result");
        assertThat(result.size()).as(c.getKey() + ": " + range).isEqualTo(1);
        assertThat(result.at("/0/metric/node").asText()).isEqualTo(node);
        assertThat(result.at("/0/values").size()).as(c.getKey()).isEqualTo(61);
        for (JsonNode v : result.at("/0/values")) {
          assertThat(Double.parseDouble(v.get(1).asText())).as(c.getKey()).isCloseTo(c.getValue(),
              org.assertj.core.data.Offset.offset(1e-6));
        }
      }
    }

    // /api/v1/series: the VM's six series with their labels.
    JsonNode series = TestServer.JSON.readTree(server.get("/api/v1/series?match[]=" + URLEncoder.encode(
        "{node=\"" + vm + "\"}", StandardCharsets.UTF_8) + "&start=" + (now - 3_600_000) / 1000 + "&end=" + now / 1000,
        admin).body());
    assertThat(series.path("status").asText()).as("%s", series).isEqualTo("success");
    assertThat(series.path("data")).hasSize(6).allSatisfy(l -> {
      assertThat(l.path("__name__").asText()).startsWith("vsphere_vm_");
      assertThat(l.path("vm").asText()).isEqualTo("app-1");
    });

    // The agent page's filesystem breakdown (lib/promql.ts breakdownQueries): mountpoints read back as written.
    String fs = "node=\"win-1\",fstype!~\"tmpfs|devtmpfs|overlay|squashfs|ramfs\"";
    JsonNode range = server.queryRange(admin, "100 * (1 - max by (mountpoint) (avg_over_time(node_filesystem_avail_bytes{"
        + fs + "}[1m])) / max by (mountpoint) (avg_over_time(node_filesystem_size_bytes{" + fs + "}[1m])))",
        now - 600_000, now, "60s");
    assertThat(range.at("/status").asText()).as("%s", range).isEqualTo("success");
    List<String> mountpoints = new java.util.ArrayList<>();
    range.at("/data/result").forEach(r -> mountpoints.add(r.at("/metric/mountpoint").asText()));
    assertThat(mountpoints).containsExactlyInAnyOrder("C:\\", "D:\\");
    assertThat(Double.parseDouble(range.at("/data/result/0/values/0/1").asText())).isCloseTo(70.0,
        org.assertj.core.data.Offset.offset(1e-9));
    JsonNode labelValues = TestServer.JSON.readTree(server.get("/api/v1/label/mountpoint/values", admin).body());
    assertThat(labelValues.path("data")).extracting(JsonNode::asText).contains("C:\\", "D:\\");
  }

  private static double scalar(TestServer server, String token, String q, long atMs) throws Exception {
    JsonNode r = TestServer.JSON.readTree(server.get("/api/v1/query?query=" + URLEncoder.encode(q,
        StandardCharsets.UTF_8) + "&time=" + atMs / 1000, token).body());
    JsonNode v = r.at("/data/result/0/value/1");
    return v.isMissingNode() ? 0 : Double.parseDouble(v.asText());
  }

  /** influxd 1.6 on loopback with its own directories and database {@code syslens}. */
  private static Process startInflux(Path d, int port) throws Exception {
    Files.createDirectories(d);
    Files.writeString(d.resolve("influxdb.conf"), String.join("\n",
        "reporting-disabled = true",
        "bind-address = \"127.0.0.1:" + ClusterInstance.freePort() + "\"",
        "[meta]", "  dir = \"" + d.resolve("meta") + "\"",
        "[data]", "  dir = \"" + d.resolve("data") + "\"", "  wal-dir = \"" + d.resolve("wal") + "\"",
        "  query-log-enabled = false",
        "[monitor]", "  store-enabled = false",
        "[http]", "  bind-address = \"127.0.0.1:" + port + "\"", "  log-enabled = false", "  max-row-limit = 0",
        "[continuous_queries]", "  enabled = false", ""));
    Process p = new ProcessBuilder(INFLUXD.toString(), "-config", d.resolve("influxdb.conf").toString())
        .redirectErrorStream(true).redirectOutput(d.resolve("influxd.log").toFile()).start();
    URI base = URI.create("http://127.0.0.1:" + port);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException("influxd exited: " + Files.readString(d.resolve("influxd.log")));
      }
      try {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/ping")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 204;
      } catch (java.io.IOException e) {
        return false;
      }
    });
    String created = HTTP.send(HttpRequest.newBuilder(base.resolve("/query"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("q=CREATE+DATABASE+syslens")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(created).contains("\"statement_id\":0");
    return p;
  }
}
