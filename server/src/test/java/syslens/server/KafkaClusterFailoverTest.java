package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka between separate {@code syslens server} JVMs: one ingest instance publishes what it
 * acknowledges to a real KRaft broker (in this JVM), two writer instances consume it into
 * VictoriaMetrics 1.79 ({@code -dedup.minScrapeInterval=1ms}, as docs/operations.md says to run
 * it). Mid-stream one writer, which has written already, is SIGKILLed: the other takes its
 * partitions (every series goes on being stored), the killed one is started again on its data
 * directory (as a StatefulSet restarts its pod with its volume: its remote-store buffer holds what
 * it committed but had not sent), and every acknowledged sample is in VictoriaMetrics exactly once.
 */
@Tag("cluster")
class KafkaClusterFailoverTest {
  private static final int SERIES = 8;
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void writerKilledMidStream_otherTakesPartitionsRestartDrains_everyAckedSampleStoredOnce() throws Exception {
    assertThat(VictoriaMetricsPeer.available()).as("VictoriaMetrics (apt-get install victoria-metrics)").isTrue();
    Files.createDirectories(dir.resolve("vm"));
    List<ClusterInstance> instances = new ArrayList<>();
    AtomicBoolean streaming = new AtomicBoolean(true);
    Thread feeder = null;
    try (KafkaClusterTestKit kafka = KafkaIngestBusServerTest.broker(dir.resolve("kafka"));
        VictoriaMetricsPeer vm = VictoriaMetricsPeer.start(dir.resolve("vm/data"), "-dedup.minScrapeInterval=1ms")) {
      String writeUrl = vm.url("/api/v1/write").toString();
      String[] bus = {"--ingest-bus", "kafka", "--kafka-bootstrap-servers", kafka.bootstrapServers(),
          "--kafka-partitions", "4", "--kafka-property", "session.timeout.ms=2000"};
      // Each with its own embedded metadata: Kafka and the store are all they share here.
      ClusterInstance ingest = new ClusterInstance(dir.resolve("ingest"), null, writeUrl, "ingest,api").with(bus);
      ClusterInstance a = new ClusterInstance(dir.resolve("writer-a"), null, writeUrl, "writer,api").with(bus);
      ClusterInstance b = new ClusterInstance(dir.resolve("writer-b"), null, writeUrl, "writer,api").with(bus);
      instances.addAll(List.of(ingest, a, b));
      for (ClusterInstance s : instances) {
        s.start();
      }
      for (ClusterInstance s : instances) {
        s.awaitReady();
      }
      phase("broker, VictoriaMetrics and three server JVMs up");
      String tokenIngest = ingest.login();
      String tokenA = a.login(); // writer,api: /metrics needs a token
      String tokenB = b.login();

      // Batches of one sample per series, timestamps 10 ms apart; acknowledged: answered 200.
      long base = System.currentTimeMillis() - 600_000;
      Set<Long> acked = new ConcurrentSkipListSet<>();
      Set<Long> sent = new ConcurrentSkipListSet<>();
      ClusterInstance in = ingest;
      java.util.concurrent.atomic.AtomicReference<Exception> feederFailure = new java.util.concurrent.atomic.AtomicReference<>();
      feeder = new Thread(() -> {
        for (long k = 0; streaming.get(); k++) {
          long ts = base + k * 10;
          StringBuilder text = new StringBuilder();
          for (int s = 0; s < SERIES; s++) {
            text.append("kbus_metric{s=\"").append(s).append("\"} ").append(k).append(' ').append(ts).append('\n');
          }
          sent.add(ts);
          try {
            if (in.send("POST", "/api/v1/import/prometheus", text.toString(), "text/plain", tokenIngest)
                .statusCode() == 200) {
              acked.add(ts);
            }
            Thread.sleep(20);
          } catch (Exception e) {
            feederFailure.set(e);
            return;
          }
        }
      }, "kafka-failover-feeder");
      long streamStart = System.currentTimeMillis();
      feeder.start();

      // Mid-stream: once the writers have written, kill the one that wrote most (it holds partitions).
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
          written(a, tokenA) + written(b, tokenB) > 0 && acked.size() > 20);
      ClusterInstance victim = written(a, tokenA) >= written(b, tokenB) ? a : b;
      ClusterInstance survivor = victim == a ? b : a;
      long killedAt = System.currentTimeMillis();
      long lastAckedBeforeKill = ((ConcurrentSkipListSet<Long>) acked).last();
      long nanos = System.nanoTime();
      victim.kill();
      // The other takes its partitions: every series gets samples acknowledged after the kill.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
        vm.flush();
        Map<String, List<Long>> ts = timestamps(vm);
        return ts.size() == SERIES && ts.values().stream().allMatch(l -> l.stream().anyMatch(t -> t > lastAckedBeforeKill));
      });
      Duration takeover = Duration.ofNanos(System.nanoTime() - nanos);
      phase("stream, kill, takeover");
      assertThat(survivor.process.isAlive()).isTrue();
      // The killed writer comes back on its data directory and sends what it had committed but not sent.
      victim.start();
      victim.awaitReady();
      streaming.set(false);
      feeder.join(10_000);
      phase("killed writer restarted on its data directory");
      System.out.printf("KafkaClusterFailoverTest: writer SIGKILLed %d ms after the stream started; every series "
          + "stored by the other writer again after %d ms; %d batches acknowledged, %d sent%n",
          killedAt - streamStart, takeover.toMillis(), acked.size(), sent.size());
      assertThat(feederFailure.get()).as("feeding the ingest instance").isNull();
      assertThat(acked).as("ingest acknowledged batches").hasSizeGreaterThan(50);

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        vm.flush();
        return timestamps(vm).values().stream().allMatch(l -> Set.copyOf(l).containsAll(acked));
      });
      Map<String, List<Long>> stored = timestamps(vm);
      phase("every acknowledged sample stored");
      assertThat(stored).hasSize(SERIES);
      for (Map.Entry<String, List<Long>> e : stored.entrySet()) {
        Map<Long, Integer> counts = new TreeMap<>();
        e.getValue().forEach(t -> counts.merge(t, 1, Integer::sum));
        assertThat(counts.entrySet().stream().filter(c -> c.getValue() > 1).toList())
            .as("series %s: samples stored twice (timestamp=count)", e.getKey()).isEmpty();
        assertThat(counts.keySet()).as("series %s: every acknowledged sample, nothing never sent", e.getKey())
            .containsAll(acked);
        assertThat(sent).containsAll(counts.keySet());
      }
    } finally {
      streaming.set(false);
      if (feeder != null) {
        feeder.join(10_000);
      }
      for (ClusterInstance s : instances) {
        s.kill();
      }
    }
  }

  private long phaseStart = System.nanoTime();

  /** Prints how long the phase that ends now took (where this test's time goes on a loaded machine). */
  private void phase(String what) {
    long now = System.nanoTime();
    System.out.printf("KafkaClusterFailoverTest: %s: %d ms%n", what, (now - phaseStart) / 1_000_000);
    phaseStart = now;
  }

  /** syslens_kafka_written_samples_total of an instance. */
  private static double written(ClusterInstance s, String token) throws Exception {
    for (String line : s.get("/metrics", token).body().split("\n")) {
      if (line.startsWith("syslens_kafka_written_samples_total ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    return 0;
  }

  /** Every stored timestamp per series (label s), from VictoriaMetrics' raw export. */
  private Map<String, List<Long>> timestamps(VictoriaMetricsPeer vm) throws Exception {
    String match = java.net.URLEncoder.encode("{__name__=\"kbus_metric\"}", java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(vm.url("/api/v1/export?match[]=" + match)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, List<Long>> out = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode j = TestServer.JSON.readTree(line);
      List<Long> ts = out.computeIfAbsent(j.at("/metric/s").asText(), k -> new ArrayList<>());
      JsonNode values = j.get("values");
      JsonNode times = j.get("timestamps");
      for (int i = 0; i < times.size(); i++) {
        if (values.get(i).isNumber() && !Double.isNaN(values.get(i).asDouble())) {
          ts.add(times.get(i).asLong());
        }
      }
    }
    return out;
  }
}
