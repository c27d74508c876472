package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrape targets against a real node_exporter, custom commands as real processes. */
class ExternalSourcesTest {

  @TempDir
  Path tmp;

  @Test
  void scrape_realNodeExporter_samplesWithJobAndUp() throws Exception {
    assumeTrue(NodeExporterProcess.available(), "needs Debian's prometheus-node-exporter");
    try (NodeExporterProcess ne = NodeExporterProcess.start()) {
      List<Metric> out = ExternalSources.scrape(ScrapeTarget.of("node", ne.url));

      Map<String, Double> m = byKey(out);
      assertThat(m).containsEntry("up{job=\"node\"}", 1.0).containsKey("node_load1{job=\"node\"}");
      assertThat(out).hasSizeGreaterThan(300).allSatisfy(x -> assertThat(x.label("job")).isEqualTo("node"));
    }
  }

  @Test
  void scrape_overSeriesLimit_upZeroAndNoSamples() throws Exception {
    assumeTrue(NodeExporterProcess.available(), "needs Debian's prometheus-node-exporter");
    try (NodeExporterProcess ne = NodeExporterProcess.start()) {
      List<Metric> out = ExternalSources.scrape(new ScrapeTarget("node", URI.create(ne.url),
          Duration.ofSeconds(10), 4 << 20, 50));
      List<Metric> tooBig = ExternalSources.scrape(new ScrapeTarget("node", URI.create(ne.url),
          Duration.ofSeconds(10), 1000, 10_000));

      assertThat(byKey(out).keySet()).containsExactlyInAnyOrder("up{job=\"node\"}",
          "scrape_duration_seconds{job=\"node\"}");
      assertThat(byKey(out)).containsEntry("up{job=\"node\"}", 0.0);
      assertThat(byKey(tooBig)).containsEntry("up{job=\"node\"}", 0.0).hasSize(2);
    }
  }

  @Test
  void scrape_nothingListening_upZero() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(byKey(ExternalSources.scrape(ScrapeTarget.of("gone", "http://127.0.0.1:" + port + "/metrics"))))
        .containsEntry("up{job=\"gone\"}", 0.0);
  }

  @Test
  void command_prometheusOutput_samplesWithCommandLabel() {
    List<Metric> out = CommandRunner.run(CommandSource.of("app", CommandSource.Format.PROMETHEUS, List.of(
        "printf", "# TYPE q gauge\\nq{queue=\"a\"} 3\\nq{queue=\"b\",command=\"x\"} 4 1700000000000\\n")));

    assertThat(byKey(out)).containsEntry("q{command=\"app\",queue=\"a\"}", 3.0)
        .containsEntry("q{command=\"app\",exported_command=\"x\",queue=\"b\"}", 4.0)
        .containsEntry("syslens_command_success{command=\"app\"}", 1.0)
        .containsEntry("syslens_command_timed_out{command=\"app\"}", 0.0);
  }

  @Test
  void command_jsonObjectAndArray_samples() {
    List<Metric> obj = CommandRunner.run(CommandSource.of("j", CommandSource.Format.JSON,
        List.of("echo", "{\"backlog\": 12, \"healthy\": true}")));
    List<Metric> arr = CommandRunner.run(CommandSource.of("k", CommandSource.Format.JSON, List.of("echo",
        "[{\"name\":\"temp_celsius\",\"labels\":{\"room\":\"a\"},\"value\":21.5}]")));

    assertThat(byKey(obj)).containsEntry("backlog{command=\"j\"}", 12.0).containsEntry("healthy{command=\"j\"}", 1.0);
    assertThat(byKey(arr)).containsEntry("temp_celsius{command=\"k\",room=\"a\"}", 21.5)
        .containsEntry("syslens_command_success{command=\"k\"}", 1.0);
  }

  @Test
  void command_malformedOrFailing_successZeroNoSamples() {
    Map<String, Double> bad = byKey(CommandRunner.run(CommandSource.of("bad", CommandSource.Format.JSON,
        List.of("echo", "{\"x\": \"nope\"}"))));
    Map<String, Double> exit = byKey(CommandRunner.run(CommandSource.of("exit", CommandSource.Format.PROMETHEUS,
        List.of("sh", "-c", "echo a 1; exit 3"))));

    assertThat(bad).containsEntry("syslens_command_success{command=\"bad\"}", 0.0).doesNotContainKey("x{command=\"bad\"}");
    assertThat(exit).containsEntry("syslens_command_success{command=\"exit\"}", 0.0).doesNotContainKey("a{command=\"exit\"}");
  }

  @Test
  void command_hangsWithChild_timedOutAndWholeTreeKilled() throws Exception {
    Path pids = tmp.resolve("pids");
    // The shell starts a child that would outlive it, records both pids, then hangs.
    CommandSource hang = new CommandSource("hang", List.of("sh", "-c",
        "sleep 300 & echo $$ $! > " + pids + "; wait"), CommandSource.Format.PROMETHEUS,
        Duration.ofMillis(500), 1 << 20, 100);
    long t0 = System.nanoTime();

    Map<String, Double> m = byKey(CommandRunner.run(hang));

    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    assertThat(m).containsEntry("syslens_command_success{command=\"hang\"}", 0.0)
        .containsEntry("syslens_command_timed_out{command=\"hang\"}", 1.0);
    for (String pid : Files.readString(pids).trim().split(" ")) {
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true));
    }
  }

  @Test
  void command_floodsOutput_stoppedAtLimitAndKilled() {
    CommandSource flood = new CommandSource("flood", List.of("yes", "x 1"), CommandSource.Format.PROMETHEUS,
        Duration.ofSeconds(20), 64 << 10, 100_000);
    long t0 = System.nanoTime();

    Map<String, Double> m = byKey(CommandRunner.run(flood));

    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
    assertThat(m).containsEntry("syslens_command_success{command=\"flood\"}", 0.0)
        .containsEntry("syslens_command_timed_out{command=\"flood\"}", 0.0)
        .doesNotContainKey("x{command=\"flood\"}");
  }

  @Test
  void collect_slowCommand_landsInALaterRoundWithoutBlockingRounds() throws Exception {
    CollectConfig config = new CollectConfig(Set.of(), 0, Duration.ofSeconds(5), List.of(), List.of(
        CommandSource.of("fast", CommandSource.Format.JSON, List.of("echo", "{\"v\": 1}")),
        CommandSource.of("slow", CommandSource.Format.JSON, List.of("sh", "-c", "sleep 2; echo '{\"w\": 2}'"))));
    try (ExternalSources sources = ExternalSources.create(config, Duration.ofMillis(700))) {
      List<Metric> first = new ArrayList<>();
      long t0 = System.nanoTime();
      sources.collect(first);
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(1.5);
      assertThat(byKey(first)).containsKey("v{command=\"fast\"}").doesNotContainKey("w{command=\"slow\"}");

      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
        List<Metric> next = new ArrayList<>();
        sources.collect(next);
        return byKey(next).containsKey("w{command=\"slow\"}");
      });
    }
  }

  @Test
  void config_badValues_clearErrors() {
    assertThatThrownBy(() -> ScrapeTarget.of("x", "file:///etc/passwd"))
        .hasMessageContaining("expected: http(s)://host:port/path");
    assertThatThrownBy(() -> CommandSource.of("bad name", CommandSource.Format.JSON, List.of("true")))
        .hasMessageContaining("command name: 'bad name'");
    assertThatThrownBy(() -> new CollectConfig(Set.of("nosuch"), 5, Duration.ofSeconds(5), List.of(), List.of())
        .validate()).hasMessageContaining("disabled collector: nosuch (expected one of: cpu,");
  }

  private static Map<String, Double> byKey(List<Metric> metrics) {
    Map<String, Double> m = new TreeMap<>();
    metrics.forEach(x -> m.put(x.key(), x.value()));
    return m;
  }
}
