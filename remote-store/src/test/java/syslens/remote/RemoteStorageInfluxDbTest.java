package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.query.Engine;
import syslens.query.Matrix;
import syslens.storage.Appender;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Series;
import syslens.storage.Storage;
import syslens.tsdb.Tsdb;

/**
 * InfluxDB 1.6 (Debian's {@code influxdb}, started by the test) as the store: the same samples
 * written to it and to the embedded TSDB answer the dashboards' and reports' queries alike.
 */
class RemoteStorageInfluxDbTest {
  @TempDir
  Path tmp;

  private InfluxDb influx;
  private final long now = System.currentTimeMillis() / 1000 * 1000;
  private final long t0 = now - 2 * 3_600_000;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(InfluxDb.installed(), "influxdb not installed");
    influx = InfluxDb.start(tmp.resolve("influx"));
    assertThat(influx.query("CREATE DATABASE syslens")).contains("\"statement_id\":0");
  }

  @AfterEach
  void stop() throws Exception {
    if (influx != null) {
      influx.close();
    }
  }

  private RemoteStorage open() throws Exception {
    return RemoteStorage.builder(tmp.resolve("buffer"), influx.url("/write?db=syslens&precision=ms"))
        .protocol(RemoteStorage.Protocol.INFLUXDB).backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
  }

  /** Two nodes' CPU counters, memory and load, 10 s apart for 30 minutes, into {@code s}. */
  private void write(Storage s, int from, int to) {
    Appender a = s.appender();
    String[] modes = {"idle", "user", "system"};
    for (int i = from; i < to; i++) {
      long t = t0 + i * 10_000L;
      for (String node : List.of("web-1", "db \"2\",x=y")) {
        for (int c = 0; c < 2; c++) {
          for (int m = 0; m < modes.length; m++) {
            assertThat(a.append(Labels.of("__name__", "node_cpu_seconds_total", "node", node, "cpu", "" + c,
                "mode", modes[m]), t, i * (m + 1) * 1.25 + c)).isEqualTo(AppendStatus.OK);
          }
        }
        a.append(Labels.of("__name__", "node_memory_MemAvailable_bytes", "node", node), t, 1e9 + (i % 17) * 1e6);
        a.append(Labels.of("__name__", "node_load1", "node", node), t, (i % 13) / 4.0);
        a.append(Labels.of("__name__", "up", "node", node), t, i % 50 == 0 ? 0 : 1);
      }
      if (i % 20 == 19) {
        a.commit();
      }
    }
    a.commit();
  }

  private static long count(Storage s, String metric, long mint, long maxt) {
    try (Querier q = s.querier(mint, maxt)) {
      long n = 0;
      for (Series series : q.select(List.of(Matcher.equal("__name__", metric)))) {
        var it = series.iterator();
        while (it.next()) {
          n++;
        }
      }
      return n;
    }
  }

  @Test
  void queries_ofDashboardsAndReports_answerAsTheEmbeddedEngineDoes() throws Exception {
    try (RemoteStorage remote = open(); Tsdb local = Tsdb.builder(tmp.resolve("tsdb")).build()) {
      write(remote, 0, 180);
      write(local, 0, 180);
      await().atMost(Duration.ofSeconds(30)).until(() -> remote.stats().pendingBytes() == 0
          && count(remote, "up", t0, now) == 360);
      Engine onInflux = Engine.builder(remote).build();
      Engine onTsdb = Engine.builder(local).build();
      for (String q : List.of(
          "100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))",
          "sum by (node, mode) (irate(node_cpu_seconds_total{mode=~\"user|system\"}[1m]))",
          "node_memory_MemAvailable_bytes{node=~\"web-.*\"}",
          "node_memory_MemAvailable_bytes{node!=\"web-1\"}",
          "topk(1, max_over_time(node_load1[10m]))",
          "avg_over_time(up[30m])",
          "count({__name__=~\"node_.*\", node=\"db \\\"2\\\",x=y\"})")) {
        Matrix a = onInflux.rangeQuery(q, t0 + 600_000, t0 + 1_790_000, 60_000);
        Matrix b = onTsdb.rangeQuery(q, t0 + 600_000, t0 + 1_790_000, 60_000);
        assertThat(b.series()).as(q).isNotEmpty();
        assertThat(a).as(q).isEqualTo(b);
      }
      try (Querier q = remote.querier(t0, now)) {
        assertThat(q.labelNames()).contains("__name__", "node", "cpu", "mode");
        assertThat(q.labelValues("node")).containsExactly("db \"2\",x=y", "web-1");
        assertThat(q.labelValues("__name__")).contains("node_cpu_seconds_total", "up");
      }
    }
  }

  @Test
  void write_whileInfluxIsDown_everySampleArrivesAfterItReturns() throws Exception {
    try (RemoteStorage s = open()) {
      write(s, 0, 10);
      await().atMost(Duration.ofSeconds(30)).until(() -> s.stats().pendingBytes() == 0);
      influx.stop();
      write(s, 10, 60);
      await().atMost(Duration.ofSeconds(10)).until(() -> s.degraded() != null);
      Appender a = s.appender();
      a.append(Labels.of("__name__", "up", "node", "stale"), now - 1000, Double.longBitsToDouble(0x7ff0000000000002L));
      a.commit();
      assertThat(s.stats().unrepresentable()).isEqualTo(1);
      influx.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.stats().pendingBytes() == 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> count(s, "up", t0, now) == 120);
      assertThat(s.degraded()).isNull();
    }
  }

  /**
   * Windows mountpoints end in a backslash: InfluxDB 1.6 refused every request holding one ("invalid
   * tag format", the backslash escaped the separator after it), losing the whole batch.
   */
  @Test
  void write_labelValueEndingInBackslash_storedAndReadBackAsItWas() throws Exception {
    try (RemoteStorage s = open()) {
      Appender a = s.appender();
      for (String mp : List.of("C:\\", "D:\\data\\", "/", "E:\\ ")) {
        for (int i = 0; i < 10; i++) {
          assertThat(a.append(Labels.of("__name__", "node_filesystem_avail_bytes", "mountpoint", mp, "node", "win-1"),
              t0 + i * 10_000L, 1e9 + i)).isEqualTo(AppendStatus.OK);
        }
      }
      a.commit();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.stats().pendingBytes() == 0
          && count(s, "node_filesystem_avail_bytes", t0, now) == 40);
      try (Querier q = s.querier(t0, now)) {
        assertThat(q.labelValues("mountpoint")).containsExactly("/", "C:\\", "D:\\data\\", "E:\\ ");
        List<String> got = new java.util.ArrayList<>();
        q.select(List.of(Matcher.equal("__name__", "node_filesystem_avail_bytes"), Matcher.equal("mountpoint", "C:\\")))
            .forEach(x -> got.add(x.labels().get("mountpoint")));
        assertThat(got).containsExactly("C:\\");
        got.clear();
        q.select(List.of(Matcher.equal("__name__", "node_filesystem_avail_bytes"), Matcher.regex("mountpoint", ".*\\\\")))
            .forEach(x -> got.add(x.labels().get("mountpoint")));
        assertThat(got).containsExactlyInAnyOrder("C:\\", "D:\\data\\");
        got.clear();
        q.select(List.of(Matcher.equal("__name__", "node_filesystem_avail_bytes"), Matcher.notRegex("mountpoint", "[A-Z]:.*")))
            .forEach(x -> got.add(x.labels().get("mountpoint")));
        assertThat(got).containsExactly("/");
      }
      Matrix m = Engine.builder(s).build().rangeQuery("node_filesystem_avail_bytes{mountpoint=\"C:\\\\\"}",
          t0 + 60_000, t0 + 90_000, 30_000);
      assertThat(m.series()).hasSize(1);
    }
  }
}
