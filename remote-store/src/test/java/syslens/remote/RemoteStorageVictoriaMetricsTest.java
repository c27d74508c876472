package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.query.Engine;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.RangeSeries;
import syslens.storage.Appender;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Series;
import syslens.storage.StorageException;

/** Against Debian's real VictoriaMetrics 1.79, started on a loopback port by the test. */
class RemoteStorageVictoriaMetricsTest {
  @TempDir
  Path tmp;

  private VictoriaMetrics vm;
  private final long now = System.currentTimeMillis() / 1000 * 1000;
  private final long t0 = now - 7_200_000;

  @BeforeEach
  void startVm() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(VictoriaMetrics.installed(), "victoria-metrics not installed");
    vm = VictoriaMetrics.start(tmp.resolve("vm"));
  }

  @AfterEach
  void stopVm() throws Exception {
    if (vm != null) {
      vm.close();
    }
  }

  private RemoteStorage open(long maxBuffer) throws Exception {
    return RemoteStorage.builder(tmp.resolve("buffer"), vm.url("/api/v1/write")).maxBufferBytes(maxBuffer)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
  }

  /** Writes {@code n} samples of counter {@code c{node}} from t0, 10 s apart, in commits of {@code per}. */
  private static void write(RemoteStorage s, String node, int from, int n, long t0) {
    Appender a = s.appender();
    for (int i = from; i < from + n; i++) {
      assertThat(a.append(Labels.of("__name__", "c", "node", node), t0 + i * 10_000L, i * 2.0))
          .isEqualTo(AppendStatus.OK);
      if (i % 50 == 49) {
        a.commit();
      }
    }
    a.commit();
  }

  private static long count(RemoteStorage s, String selectorNode, long mint, long maxt) {
    return count(s, "c", selectorNode, mint, maxt);
  }

  private static long count(RemoteStorage s, String name, String selectorNode, long mint, long maxt) {
    try (Querier q = s.querier(mint, maxt)) {
      long n = 0;
      for (Series series : q.select(List.of(Matcher.equal("__name__", name), Matcher.equal("node", selectorNode)))) {
        var it = series.iterator();
        while (it.next()) {
          n++;
        }
      }
      return n;
    }
  }

  @Test
  void query_answerOverTheResponseBound_failsNamingTheBound_andASmallerOneIsRead() throws Exception {
    try (RemoteStorage s = RemoteStorage.builder(tmp.resolve("buffer"), vm.url("/api/v1/write"))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).maxResponseBytes(4096).build()) {
      write(s, "n1", 0, 300, t0);
      await().atMost(Duration.ofSeconds(20)).until(() -> s.stats().pendingBytes() == 0);
      vm.flush();
      // 300 samples export as far more than 4 KiB; 5 of them as far less.
      await().atMost(Duration.ofSeconds(20)).until(() -> count(s, "n1", t0, t0 + 40_000) == 5);
      assertThatThrownBy(() -> count(s, "n1", t0, now)).isInstanceOf(StorageException.class)
          .hasMessageContaining("answer over 4096 bytes");
    }
  }

  @Test
  void query_afterWrites_answersTheWrittenValuesThroughPromql() throws Exception {
    try (RemoteStorage s = open(64 << 20)) {
      write(s, "n1", 0, 300, t0);
      write(s, "n2", 0, 300, t0);
      Appender a = s.appender();
      assertThat(a.append(Labels.of("__name__", "bad-name"), now, 1)).isEqualTo(AppendStatus.INVALID_LABELS);
      await().atMost(Duration.ofSeconds(20)).until(() -> s.stats().pendingBytes() == 0);
      vm.flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> count(s, "n2", t0, now) == 300);
      assertThat(s.stats().samplesSent()).isEqualTo(600);

      Engine engine = Engine.builder(s).build();
      Matrix m = engine.rangeQuery("c{node=\"n1\"}", t0, t0 + 2_990_000, 10_000);
      assertThat(m.series()).hasSize(1);
      List<Point> points = m.series().get(0).points();
      assertThat(points).hasSize(300);
      for (int i = 0; i < 300; i++) {
        assertThat(points.get(i)).isEqualTo(new Point(t0 + i * 10_000L, i * 2.0));
      }
      // Functions are the engine's own: 2 per 10 s is 0.2/s.
      InstantVector rate = (InstantVector) engine.instantQuery("sum(rate(c[5m]))", t0 + 2_000_000);
      assertThat(rate.samples().get(0).value()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
      Matrix byNode = engine.rangeQuery("max by (node) (c)", t0 + 1_000_000, t0 + 1_100_000, 50_000);
      assertThat(byNode.series()).extracting(RangeSeries::labels)
          .containsExactly(Labels.of("node", "n1"), Labels.of("node", "n2"));
      try (Querier q = s.querier(t0, now)) {
        assertThat(q.labelNames()).contains("__name__", "node");
        assertThat(q.labelValues("node")).containsExactly("n1", "n2");
        assertThat(q.select(List.of(Matcher.regex("node", "n.*"), Matcher.equal("__name__", "c"))))
            .extracting(Series::labels).containsExactly(Labels.of("__name__", "c", "node", "n1"),
                Labels.of("__name__", "c", "node", "n2"));
      }
    }
  }

  @Test
  void write_whileTheStoreIsDownAndAcrossARestart_everySampleArrives() throws Exception {
    try (RemoteStorage s = open(64 << 20)) {
      write(s, "n1", 0, 100, t0);
      await().atMost(Duration.ofSeconds(20)).until(() -> s.stats().pendingBytes() == 0);
      vm.stop();
      write(s, "n1", 100, 200, t0);
      await().atMost(Duration.ofSeconds(10)).until(() -> s.degraded() != null && s.stats().retries() > 2);
      assertThat(s.degraded()).contains("failing since").contains("buffered on local disk");
      assertThat(s.problem()).isNull(); // still taking writes: /readyz stays ready
      assertThat(s.stats().pendingSamples()).isEqualTo(200);
    }
    // SysLens restarts while the store is still down: the buffer is on disk.
    try (RemoteStorage s = open(64 << 20)) {
      assertThat(s.stats().pendingSamples()).isEqualTo(200);
      write(s, "n1", 300, 100, t0);
      vm.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.stats().pendingBytes() == 0);
      assertThat(s.degraded()).isNull();
      vm.flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> count(s, "n1", t0, now) == 400);
    }
  }

  /**
   * The store stopped while writes go on, for {@code -Dsyslens.remote.outageSeconds} (default 3;
   * the 5-minute run of docs/operations.md passes 300), then started again: every sample arrives.
   * Prints the drain rate after the restart.
   */
  @Test
  void write_duringAnOutage_everySampleArrivesAfterTheStoreReturns() throws Exception {
    long outageMs = Long.getLong("syslens.remote.outageSeconds", 3) * 1000;
    int perBatch = 1000;
    long base = now - outageMs - 600_000;
    try (RemoteStorage s = open(1L << 30)) {
      vm.stop();
      long start = System.nanoTime();
      int batches = 0;
      // One batch of 10 series x 100 samples every 100 ms, as ~1,000 agents at a 10 s interval.
      while (System.nanoTime() - start < outageMs * 1_000_000) {
        Appender a = s.appender();
        for (int i = 0; i < perBatch; i++) {
          a.append(Labels.of("__name__", "c", "node", "outage" + (i % 10)), base + batches * 100L + i / 10, i);
        }
        a.commit();
        batches++;
        Thread.sleep(100);
      }
      assertThat(s.degraded()).contains("failing since");
      assertThat(s.problem()).isNull();
      long written = (long) batches * perBatch;
      assertThat(s.stats().pendingSamples()).isEqualTo(written);
      long buffered = s.stats().pendingBytes();
      vm.start();
      long restarted = System.nanoTime();
      await().atMost(Duration.ofMinutes(10)).until(() -> s.stats().pendingBytes() == 0);
      double drainS = (System.nanoTime() - restarted) / 1e9;
      vm.flush();
      long mint = base;
      long maxt = base + batches * 100L + perBatch;
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        long n = 0;
        for (int k = 0; k < 10; k++) {
          n += count(s, "outage" + k, mint, maxt);
        }
        return n == written;
      });
      System.out.printf("outage %d s: %d samples written in %d commits (%d bytes buffered), all arrived;"
          + " drained in %.1f s (%.0f samples/s) after the store restarted%n", outageMs / 1000, written, batches,
          buffered, drainS, written / drainS);
    }
  }

  @Test
  void commit_whenTheBufferIsFull_refusesLoudlyAndKeepsWhatItTook() throws Exception {
    vm.stop();
    try (RemoteStorage s = open(1 << 20)) {
      int committed = 0;
      StorageException refused = null;
      while (refused == null) {
        Appender a = s.appender();
        for (int i = 0; i < 1000; i++) {
          a.append(Labels.of("__name__", "c", "node", "full" + (committed % 7)), t0 + committed * 1000L + i, i);
        }
        try {
          a.commit();
          committed++;
        } catch (StorageException e) {
          refused = e;
        }
      }
      assertThat(refused.getMessage()).contains("local buffer full").contains("retry later");
      assertThat(s.problem()).contains("local buffer full");
      assertThat(s.stats().samplesRefused()).isEqualTo(1000);
      long kept = s.stats().pendingSamples();
      assertThat(kept).isEqualTo(committed * 1000L);
      vm.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> s.stats().pendingBytes() == 0);
      assertThat(s.stats().samplesSent()).isEqualTo(kept);
      assertThat(s.problem()).isNull();
    }
  }

  @Test
  void rangeQuery_coarseStep_storeDownsamplesAndAnswersAsRawSamplesDo() throws Exception {
    long hour = 3_600_000;
    long start = (now / hour - 8) * hour;
    try (RemoteStorage s = open(64 << 20)) {
      Appender a = s.appender();
      for (int i = 0; i < 6 * 360; i++) {
        // A counter rising 0.2/s and a gauge; 500 ms off the interval boundaries.
        a.append(Labels.of("__name__", "d", "node", "n1"), start + i * 10_000L + 500, i * 2.0);
        a.append(Labels.of("__name__", "g", "node", "n1"), start + i * 10_000L + 500, (i * 37) % 101);
      }
      a.commit();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.stats().pendingBytes() == 0);
      vm.flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> count(s, "d", "n1", start, start + 6 * hour) == 6 * 360);
      Engine engine = Engine.builder(s).build();
      for (String q : List.of("increase(d[1h])", "rate(d[1h])", "max_over_time(g[1h])", "min_over_time(g[1h])",
          "avg_over_time(g[1h])", "sum_over_time(g[1h])", "count_over_time(g[1h])", "last_over_time(g[1h])")) {
        long before = s.stats().downsampledSelects();
        Matrix rolled = engine.rangeQuery(Engine.parse(q), start + 2 * hour, start + 6 * hour, hour, false);
        assertThat(s.stats().downsampledSelects()).as(q).isEqualTo(before + 1);
        Matrix raw = engine.rangeQuery(Engine.parse(q), start + 2 * hour, start + 6 * hour, hour, true);
        assertThat(s.stats().downsampledSelects()).as(q).isEqualTo(before + 1);
        assertThat(rolled.series()).as(q).hasSize(1);
        List<Point> r = rolled.series().get(0).points();
        List<Point> w = raw.series().get(0).points();
        assertThat(r).as(q).hasSize(5).hasSameSizeAs(w);
        for (int i = 0; i < r.size(); i++) {
          assertThat(r.get(i).timestampMs()).isEqualTo(w.get(i).timestampMs());
          assertThat(r.get(i).value()).as(q + " at " + i).isCloseTo(w.get(i).value(),
              org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(w.get(i).value()))));
        }
      }
      // A fine step asks for raw samples.
      long before = s.stats().downsampledSelects();
      engine.rangeQuery(Engine.parse("rate(d[1m])"), start + 2 * hour, start + 3 * hour, 60_000, false);
      assertThat(s.stats().downsampledSelects()).isEqualTo(before);
    }
  }

  @Test
  void select_matchersWithQuotesAndBackslashes_reachTheStoreEscaped() throws Exception {
    try (RemoteStorage s = open(8 << 20)) {
      Appender a = s.appender();
      a.append(Labels.of("__name__", "q", "path", "C:\\dir \"x\""), now - 1000, 7);
      a.commit();
      await().atMost(Duration.ofSeconds(20)).until(() -> s.stats().pendingBytes() == 0);
      vm.flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        try (Querier q = s.querier(now - 60_000, now)) {
          return q.select(List.of(Matcher.equal("path", "C:\\dir \"x\""))).iterator().hasNext();
        }
      });
    }
  }

  @Test
  void select_storeAnswersAnError_throwsNamingTheStore() throws Exception {
    try (RemoteStorage s = open(8 << 20)) {
      vm.stop();
      assertThatThrownBy(() -> {
        try (Querier q = s.querier(t0, now)) {
          q.select(List.of(Matcher.equal("__name__", "c")));
        }
      }).isInstanceOf(StorageException.class).hasMessageContaining("remote store http://127.0.0.1:")
          .hasMessageContaining("/api/v1/export");
    }
  }
}
