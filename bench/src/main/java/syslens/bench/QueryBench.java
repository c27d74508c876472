package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens bench query}: the same node_exporter-like data in SysLens, Prometheus (blocks built
 * by promtool) and optionally VictoriaMetrics, then a fixed mix of query classes through each one's
 * {@code /api/v1/query_range}; p50/p99 per class and the ratios SysLens / peer, measured after the same
 * number of warm-up rounds on every server (steady state, as JMH measures after its warm-up
 * iterations); the first warm-up rounds are reported apart as the cold figures.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Query benchmark beside Prometheus (and optionally VictoriaMetrics) on the same data: "
        + "p50/p99 per query class and ratios of warm servers (after --warmup rounds on every server), "
        + "the first rounds apart as cold_*. Rounds alternate which server is asked first. "
        + "Last stdout line: one JSON object.")
final class QueryBench extends BenchMain.Common implements Callable<Integer> {
  /** A query class: the PromQL (%1$s is a host name), the range it covers and its step. */
  record QueryClass(String name, String promql, long rangeMs, long stepMs) {}

  static final long HOUR = 3_600_000L;

  /** Warm-up rounds reported apart as the cold figures (the bench ran 1 + 10 rounds before). */
  static final int COLD_ROUNDS = 10;

  static final List<QueryClass> CLASSES = List.of(
      new QueryClass("panel_host_cpu",
          "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\",instance=\"%1$s\"}[5m])))", 6 * HOUR, 60_000),
      new QueryClass("panel_host_memory",
          "1 - node_memory_MemAvailable_bytes{instance=\"%1$s\"} / node_memory_MemTotal_bytes{instance=\"%1$s\"}", 6 * HOUR, 60_000),
      new QueryClass("panel_host_network", "rate(node_network_receive_bytes_total{instance=\"%1$s\"}[5m])", 6 * HOUR, 60_000),
      new QueryClass("fleet_sum_by_mode", "sum by (mode) (rate(node_cpu_seconds_total[5m]))", HOUR, 60_000),
      new QueryClass("topk", "topk(10, rate(node_cpu_seconds_total{mode=\"user\"}[5m]))", HOUR, 60_000),
      new QueryClass("topk_all_cpu", "topk(10, rate(node_cpu_seconds_total[5m]))", HOUR, 60_000),
      new QueryClass("histogram_quantile",
          "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))", HOUR, 60_000),
      new QueryClass("subquery",
          "max_over_time(avg by (instance) (rate(node_cpu_seconds_total{mode=\"user\"}[1m]))[10m:1m])", HOUR, 60_000),
      new QueryClass("count_by", "count by (mode) (node_cpu_seconds_total)", HOUR, 60_000),
      new QueryClass("regex_matchers",
          "sum by (instance) (rate(node_network_receive_bytes_total{device=~\"e.*|lo\",instance=~\"host-0000[0-4]\"}[5m]))",
          HOUR, 60_000),
      new QueryClass("gauge_ratio", "avg(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", HOUR, 60_000),
      new QueryClass("avg_gauge", "avg(node_load1)", HOUR, 60_000),
      new QueryClass("count_up", "count(up)", HOUR, 60_000));

  @Option(names = "--hosts", paramLabel = "N", defaultValue = "1000", description = "Simulated hosts. Default: ${DEFAULT-VALUE}.")
  int hosts;

  @Option(names = "--hours", paramLabel = "H", defaultValue = "6", description = "Hours of data, ending now. Default: ${DEFAULT-VALUE}.")
  double hours;

  @Option(names = "--vs", paramLabel = "PEER", split = ",", defaultValue = "prometheus",
      description = "Peers to compare with: prometheus, victoriametrics (comma-separated or repeated). Default: ${DEFAULT-VALUE}.")
  List<String> vs;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "20",
      description = "Measured rounds of each class on every server, after its warm-up. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "100",
      description = "Warm-up rounds of each class, the same on every server, discarded from the headline p50/p99 "
          + "and ratios, which measure servers that have been running (steady state, as JMH's warm-up "
          + "iterations). A class's warm-up also ends once its rounds took --warmup-seconds on all servers "
          + "together. Its first " + COLD_ROUNDS + " rounds are reported apart as *_cold_* (a freshly started "
          + "server). 0: no warm-up and no cold figures. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "60",
      description = "Most wall time one class's warm-up may take, all servers together (heavy classes over large "
          + "data compile in fewer rounds). Default: ${DEFAULT-VALUE}.")
  double warmupSeconds;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Threads loading SysLens. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--aot-training-requests", paramLabel = "N", defaultValue = "6000",
      description = "Requests the AOT training server answers (rounds of every class; a class stops after "
          + TRAINING_SECONDS_PER_CLASS + " s) when the bench's own AOT cache for this server jar is missing. "
          + "Enough for the JIT to finish compiling the request path, so that the cache carries the compiled "
          + "methods' profiles (JEP 515). Default: ${DEFAULT-VALUE}.")
  int aotTrainingRequests;

  /** Most seconds one class takes of the AOT training (the fleet classes are 10-100x the one-host ones). */
  static final int TRAINING_SECONDS_PER_CLASS = 5;

  /**
   * The servers start with the query bench's own AOT cache (server-…-query.aot), recorded by a training
   * run on query traffic, whichever bench recorded the launcher's cache for this jar.
   */
  @Override
  Servers.Launch launch() {
    return super.launch().withOwnAotCache("query");
  }

  @Override
  int hosts() {
    return hosts;
  }

  @Override
  double hours() {
    return hours;
  }

  @Override
  public Integer call() throws Exception {
    check();
    for (String p : vs) {
      if (!p.equals("prometheus") && !p.equals("victoriametrics")) {
        throw new IllegalArgumentException("--vs: " + p + " (expected: prometheus or victoriametrics)");
      }
    }
    if (runs < 1 || runs > 10_000) {
      throw new IllegalArgumentException("--runs: " + runs + " (expected: 1..10000)");
    }
    if (warmup < 0 || warmup > 10_000) {
      throw new IllegalArgumentException("--warmup: " + warmup + " (expected: 0..10000)");
    }
    if (!(warmupSeconds > 0)) {
      throw new IllegalArgumentException("--warmup-seconds: " + warmupSeconds + " (expected: > 0)");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("--threads: " + threads + " (expected: 1..64)");
    }
    if (aotTrainingRequests < 1 || aotTrainingRequests > 1_000_000) {
      throw new IllegalArgumentException("--aot-training-requests: " + aotTrainingRequests + " (expected: 1..1000000)");
    }
    int rounds = rounds();
    Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), hosts, seriesPerHost, rounds, intervalMs(),
        startMs(rounds), true, seed);
    Path work = workDir != null
        ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-")
        : Files.createTempDirectory("syslens-bench-");
    Child.Registry children = Child.Registry.withShutdownHook();
    if (!keep) {
      children.deleteAtEnd(work);
    }
    ObjectNode out = PromApi.JSON.createObjectNode();
    try {
      System.err.printf("bench query: %d hosts x %d series (%s), %d rounds at %d ms = %,d samples; in %s%n",
          hosts, fleet.seriesPerHost(), fleet.describe(), rounds, intervalMs(), fleet.totalSamples(), work);
      out.put("hosts", hosts).put("series_per_host", fleet.seriesPerHost()).put("samples", fleet.totalSamples())
          .put("interval_ms", intervalMs()).put("hours", hours).put("runs", runs)
          .put("warmup", warmup).put("warmup_seconds", warmupSeconds);
      Map<String, PromApi> targets = new LinkedHashMap<>();
      Map<String, Child> processes = new LinkedHashMap<>();
      ObjectNode load = out.putObject("load_s");

      // SysLens: in-process into the data directory's tsdb/, then the server opens it.
      Path data = work.resolve("syslens");
      long t0 = System.nanoTime();
      try (Tsdb tsdb = Tsdb.builder(data.resolve("tsdb")).build()) {
        Feeds.Outcome o = Feeds.inProcess(fleet, tsdb, threads, 6);
        System.err.printf("syslens: %,d samples appended in-process in %.1f s (%,d refused)%n", o.accepted(), o.seconds(),
            o.refused());
      }
      if (launch().recordsAotCache()) {
        out.put("aot_training_s", trainAotCache(data, fleet, children));
      }
      Servers.SysLens s = Servers.SysLens.start(launch(), data, children);
      load.put("syslens", seconds(t0));
      System.err.printf("syslens: server ready in %.1f s (opening the data)%n", s.startSeconds);
      targets.put("syslens", s.api);
      processes.put("syslens", s.child);

      if (vs.contains("prometheus")) {
        t0 = System.nanoTime();
        Path om = work.resolve("data.om");
        long bytes = Feeds.openMetrics(fleet, om);
        System.err.printf("prometheus: %,d bytes of OpenMetrics written in %.1f s; promtool building blocks...%n",
            bytes, seconds(t0));
        double pt = Servers.Prometheus.createBlocks(om, work.resolve("prometheus"), work.resolve("promtool.log"));
        Files.delete(om);
        Servers.Prometheus p = Servers.Prometheus.start(work.resolve("prometheus"), children);
        load.put("prometheus", seconds(t0));
        System.err.printf("prometheus: blocks built in %.1f s, server ready (pid %d)%n", pt, p.child.pid());
        targets.put("prometheus", p.api);
        processes.put("prometheus", p.child);
      }
      if (vs.contains("victoriametrics")) {
        t0 = System.nanoTime();
        Servers.Victoria v = Servers.Victoria.start(work.resolve("victoriametrics"), children);
        Feeds.victoria(fleet, v, 6, 4, new Feeds.Progress("victoriametrics import", fleet.totalSamples()), null);
        v.api.get("/internal/force_flush", java.time.Duration.ofMinutes(5));
        load.put("victoriametrics", seconds(t0));
        targets.put("victoriametrics", v.api);
        processes.put("victoriametrics", v.child);
      }
      for (Map.Entry<String, PromApi> t : targets.entrySet()) {
        QueryLoad.forFleet(fleet).awaitData(t.getValue(), processes.get(t.getKey()));
      }
      runClasses(fleet, targets, s, out.putObject("classes"));
    } finally {
      children.stopAll();
      if (keep) {
        System.err.println("bench query: data kept in " + work);
      }
    }
    out.put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(out));
    return 0;
  }

  /**
   * The first run after a build has no AOT cache for the server jar yet (the launcher's JVM records
   * one at a server's exit): a training server on a copy of the data answers rounds of every class
   * (--aot-training-requests in all, each class for at most {@link #TRAINING_SECONDS_PER_CLASS} s) and
   * stops, so that the measured server starts with a cache trained on query traffic, as every later
   * run does. A request path answered a few thousand times has been compiled by C2; the cache then
   * holds those methods' profiles and compilations (JDK 25, JEP 515), and the measured server compiles
   * them after ~128 calls instead of the ~5,000-15,000 of a cold JIT (docs/benchmarks.md, `query12`).
   * Returns the seconds it took.
   */
  private double trainAotCache(Path data, Fleet fleet, Child.Registry children) throws Exception {
    long t0 = System.nanoTime();
    Path copy = data.resolveSibling(data.getFileName() + "-aot-training");
    try (var files = Files.walk(data)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(data.relativize(f).toString()));
      }
    }
    Servers.SysLens t = Servers.SysLens.start(launch(), copy, children);
    long end = fleet.endMs();
    Map<String, Double> spent = new LinkedHashMap<>();
    int requests = 0;
    for (int round = 0; requests < aotTrainingRequests; round++) {
      boolean any = false;
      for (QueryClass c : CLASSES) {
        if (requests >= aotTrainingRequests || spent.getOrDefault(c.name(), 0.0) >= TRAINING_SECONDS_PER_CLASS * 1000.0) {
          continue;
        }
        PromApi.Result r = t.api.queryRange(String.format(c.promql(), Fleet.hostName(round % fleet.hosts())),
            Math.max(fleet.startMs(), end - c.rangeMs()), end, c.stepMs(), QueryLoad.TIMEOUT);
        spent.merge(c.name(), r.millis(), Double::sum);
        requests++;
        any = true;
      }
      if (!any) {
        break;
      }
    }
    double queries = seconds(t0);
    // The JVM writes the cache at its exit (the assembly took 48-66 s at load 18-31): wait for it.
    double stop = t.child.stop(300);
    Servers.deleteTree(copy);
    double s = seconds(t0);
    System.err.printf("syslens: AOT cache trained on %,d queries (%.1f s from the start) in %.1f s, %.1f s of it to stop "
        + "and write the cache (recorded: %s)%n", requests, queries, s, stop, !launch().recordsAotCache());
    return s;
  }

  private void runClasses(Fleet fleet, Map<String, PromApi> targets, Servers.SysLens s, ObjectNode out)
      throws Exception {
    Map<String, Map<String, List<Double>>> times = new LinkedHashMap<>();
    Map<String, Map<String, List<Double>>> coldTimes = new LinkedHashMap<>();
    Map<String, Map<String, String>> errors = new LinkedHashMap<>();
    Map<String, Double> peakHeap = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> seriesCount = new LinkedHashMap<>();
    long end = fleet.endMs();
    Map<String, Integer> warmRounds = new LinkedHashMap<>();
    Map<String, Double> warmMillis = new LinkedHashMap<>();
    Map<String, Integer> measuredRounds = new LinkedHashMap<>();
    List<String> names = List.copyOf(targets.keySet());
    for (int round = 0; measuredRounds.values().stream().filter(n -> n >= runs).count() < CLASSES.size(); round++) {
      for (QueryClass c : rotated(CLASSES, round)) {
        int warm = warmRounds.getOrDefault(c.name(), 0);
        boolean warming = warm < warmup && warmMillis.getOrDefault(c.name(), 0.0) < warmupSeconds * 1000;
        if (!warming && measuredRounds.getOrDefault(c.name(), 0) >= runs) {
          continue;
        }
        String q = String.format(c.promql(), Fleet.hostName(Math.floorMod(round * 7919, fleet.hosts())));
        long start = Math.max(fleet.startMs(), end - c.rangeMs());
        for (String t : rotated(names, round)) {
          if (errors.getOrDefault(c.name(), Map.of()).containsKey(t)) {
            continue; // one error marks the class for that store; do not hammer it
          }
          PromApi.Result r = targets.get(t).queryRange(q, start, end, c.stepMs(), QueryLoad.TIMEOUT);
          if (r.error() != null) {
            errors.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(t, r.error());
            continue;
          }
          if (warming) {
            warmMillis.merge(c.name(), r.millis(), Double::sum);
            if (warm < COLD_ROUNDS) {
              coldTimes.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).computeIfAbsent(t, k -> new ArrayList<>())
                  .add(r.millis());
            }
          } else {
            seriesCount.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(t, r.series());
            times.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).computeIfAbsent(t, k -> new ArrayList<>())
                .add(r.millis());
          }
        }
        if (warming) {
          warmRounds.put(c.name(), warm + 1);
        } else {
          measuredRounds.merge(c.name(), 1, Integer::sum);
        }
      }
      if ((round + 1) % 10 == 0) {
        System.err.printf("  round %d done: %d of %d classes warmed up, %d measured%n", round + 1,
            CLASSES.stream().filter(c -> measuredRounds.containsKey(c.name())).count(), CLASSES.size(),
            measuredRounds.values().stream().filter(n -> n >= runs).count());
      }
    }
    // One more pass over SysLens with its heap watched (apart from the timed runs: scraping costs CPU).
    try (HeapWatch watch = HeapWatch.start(s)) {
      for (QueryClass c : CLASSES) {
        if (!errors.getOrDefault(c.name(), Map.of()).containsKey("syslens")) {
          String q = String.format(c.promql(), Fleet.hostName(0));
          watch.reset();
          s.api.queryRange(q, Math.max(fleet.startMs(), end - c.rangeMs()), end, c.stepMs(), QueryLoad.TIMEOUT);
          peakHeap.put(c.name(), watch.peak());
        }
      }
    }
    for (QueryClass c : CLASSES) {
      ObjectNode n = out.putObject(c.name());
      n.put("query", c.promql()).put("range_s", Math.min(c.rangeMs(), end - fleet.startMs()) / 1000)
          .put("step_s", c.stepMs() / 1000);
      Map<String, List<Double>> byTarget = times.getOrDefault(c.name(), Map.of());
      Map<String, String> err = errors.getOrDefault(c.name(), Map.of());
      for (String t : targets.keySet()) {
        if (err.containsKey(t)) {
          n.put(t + "_error", err.get(t));
        } else {
          n.put(t + "_p50_ms", QueryLoad.pct(byTarget.get(t), 50)).put(t + "_p99_ms", QueryLoad.pct(byTarget.get(t), 99))
              .put(t + "_series", seriesCount.getOrDefault(c.name(), Map.of()).getOrDefault(t, -1));
        }
      }
      Double heap = peakHeap.get(c.name());
      if (heap != null && !heap.isNaN()) {
        n.put("syslens_peak_heap_mib", Math.round(heap / (1 << 20)));
      }
      for (String peer : targets.keySet()) {
        if (peer.equals("syslens") || err.containsKey(peer) || err.containsKey("syslens")) {
          continue;
        }
        n.put("ratio_" + peer + "_p50", ratio(byTarget.get("syslens"), byTarget.get(peer), 50));
        n.put("ratio_" + peer + "_p99", ratio(byTarget.get("syslens"), byTarget.get(peer), 99));
      }
      // The first rounds of the warm-up: what a freshly started server answers (not the headline).
      Map<String, List<Double>> cold = coldTimes.getOrDefault(c.name(), Map.of());
      n.put("warmup_rounds", warmRounds.getOrDefault(c.name(), 0))
          .put("warmup_s", Math.round(warmMillis.getOrDefault(c.name(), 0.0) / 100) / 10.0);
      if (!cold.isEmpty()) {
        for (String t : targets.keySet()) {
          if (cold.containsKey(t)) {
            n.put(t + "_cold_p50_ms", QueryLoad.pct(cold.get(t), 50))
                .put(t + "_cold_p99_ms", QueryLoad.pct(cold.get(t), 99));
          }
        }
        for (String peer : targets.keySet()) {
          if (!peer.equals("syslens") && cold.containsKey(peer) && cold.containsKey("syslens")) {
            n.put("ratio_" + peer + "_cold_p50", ratio(cold.get("syslens"), cold.get(peer), 50));
            n.put("ratio_" + peer + "_cold_p99", ratio(cold.get("syslens"), cold.get(peer), 99));
          }
        }
      }
      System.err.printf("%-20s %s%n", c.name(), n.toString().replaceAll("\"query\":\"(\\\\.|[^\"])*\",", ""));
    }
  }

  /**
   * {@code items} rotated left by {@code round}: round by round every server goes first equally
   * often (two servers alternate), and every class starts a round in turn, so no side always
   * follows the other's answer or the same heavy class.
   */
  static <T> List<T> rotated(List<T> items, int round) {
    List<T> out = new ArrayList<>(items.size());
    int k = Math.floorMod(round, items.size());
    out.addAll(items.subList(k, items.size()));
    out.addAll(items.subList(0, k));
    return out;
  }

  private static double ratio(List<Double> a, List<Double> b, double p) {
    return Math.round(QueryLoad.pct(a, p) / QueryLoad.pct(b, p) * 100) / 100.0;
  }

  private static double seconds(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
  }
}
