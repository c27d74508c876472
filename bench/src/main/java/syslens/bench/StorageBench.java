package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens bench storage}: the same generated samples into an in-process Tsdb, a real SysLens
 * server through the agent stream, and optionally VictoriaMetrics through its import API; ingest
 * rate and CPU, disk bytes per sample, memory per series, restart time and query latency.
 */
@Command(name = "storage", mixinStandardHelpOptions = true,
    description = "Storage benchmark: append, end-to-end ingest, bytes/sample, RAM/series, restart, queries; "
        + "optionally beside VictoriaMetrics in the same run. Last stdout line: one JSON object.")
final class StorageBench extends BenchMain.Common implements Callable<Integer> {
  @Option(names = "--hosts", paramLabel = "N", defaultValue = "100", description = "Simulated hosts (one agent each). Default: ${DEFAULT-VALUE}.")
  int hosts;

  @Option(names = "--hours", paramLabel = "H", defaultValue = "0.5", description = "Hours of data, ending now. Default: ${DEFAULT-VALUE}.")
  double hours;

  @Option(names = "--shape", paramLabel = "SHAPE", defaultValue = "node",
      description = "node (node_exporter-like hosts replaying the recording) or tsbs-cpu-only (TSBS's 10 CPU fields "
          + "with 10 host tags). Default: ${DEFAULT-VALUE}.")
  String shape;

  @Option(names = "--vs", paramLabel = "PEER", description = "Also run a peer on the same data: victoriametrics.")
  String vs;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "In-process append threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--rounds-per-batch", paramLabel = "N", defaultValue = "6",
      description = "Rounds (one sample per series) in one agent batch / import request. Default: ${DEFAULT-VALUE}.")
  int roundsPerBatch;

  @Option(names = "--inflight", paramLabel = "N", defaultValue = "2", description = "Unacked batches per agent. Default: ${DEFAULT-VALUE}.")
  int inflight;

  @Option(names = "--channels", paramLabel = "N", defaultValue = "4",
      description = "TLS connections the agent streams share. Default: ${DEFAULT-VALUE}.")
  int channels;

  @Option(names = "--query-runs", paramLabel = "N", defaultValue = "100",
      description = "Runs of each query (after 2 warm-ups); p99 is the nearest rank, so under 100 runs it is the "
          + "slowest run. Default: ${DEFAULT-VALUE}.")
  int queryRuns;

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
    Fleet.Shape sh = switch (shape) {
      case "node" -> Fleet.Shape.NODE;
      case "tsbs-cpu-only" -> Fleet.Shape.TSBS_CPU_ONLY;
      default -> throw new IllegalArgumentException("--shape: " + shape + " (expected: node or tsbs-cpu-only)");
    };
    if (vs != null && !vs.equals("victoriametrics")) {
      throw new IllegalArgumentException("--vs: " + vs + " (expected: victoriametrics)");
    }
    positive("--threads", threads, 64);
    positive("--rounds-per-batch", roundsPerBatch, 1000);
    positive("--inflight", inflight, 64);
    positive("--channels", channels, 256);
    positive("--query-runs", queryRuns, 10_000);
    int rounds = rounds();
    Fleet fleet = Fleet.create(sh, sh == Fleet.Shape.NODE ? Recording.load() : null, hosts, seriesPerHost, rounds,
        intervalMs(), startMs(rounds), false, seed);
    if ((long) fleet.seriesPerHost() * roundsPerBatch > 200_000) {
      throw new IllegalArgumentException("--rounds-per-batch " + roundsPerBatch + " x " + fleet.seriesPerHost()
          + " series exceeds the server's 200,000 samples per batch (expected: fewer rounds per batch)");
    }
    Path work = workDir != null
        ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-")
        : Files.createTempDirectory("syslens-bench-");
    Child.Registry children = Child.Registry.withShutdownHook();
    if (!keep) {
      children.deleteAtEnd(work);
    }
    Report out = new Report();
    try {
      System.err.printf("bench storage: %s, %d hosts x %d series (%s), %d rounds at %d ms = %,d samples, %s .. %s; in %s%n",
          shape, hosts, fleet.seriesPerHost(), fleet.describe(), rounds, intervalMs(), fleet.totalSamples(),
          Instant.ofEpochMilli(fleet.startMs()), Instant.ofEpochMilli(fleet.endMs()), work);
      ObjectNode sys = out.json.putObject("syslens_detail");
      out.json.put("shape", shape).put("hosts", hosts).put("series_per_host", fleet.seriesPerHost())
          .put("series", (long) hosts * fleet.seriesPerHost()).put("samples", fleet.totalSamples())
          .put("interval_ms", intervalMs()).put("hours", hours);
      ObjectNode main = out.json.putObject("syslens");

      // 1. In-process append, WAL on, through the label path.
      Path inproc = work.resolve("inprocess");
      try (Tsdb tsdb = Tsdb.builder(inproc).build()) {
        Feeds.Outcome o = Feeds.inProcess(fleet, tsdb, threads, roundsPerBatch);
        System.err.printf("in-process append (%d threads, WAL on): %,.0f samples/s (%,d refused), %.1f s%n",
            threads, o.perSecond(), o.refused(), o.seconds());
        main.put("append_samples_per_s", round(o.perSecond()));
        sys.put("append_refused", o.refused());
      }
      Servers.deleteTree(inproc);

      // 2. End to end through a real server.
      measureSysLens(fleet, work.resolve("syslens"), children, main, sys);

      // 3. The peer on the same data.
      if (vs != null) {
        ObjectNode vm = out.json.putObject("vs_victoriametrics");
        measureVictoria(fleet, work.resolve("victoriametrics"), children, vm);
        ObjectNode ratio = out.json.putObject("ratio");
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = main.fields(); it.hasNext(); ) {
          var e = it.next();
          if (vm.has(e.getKey()) && vm.get(e.getKey()).isNumber() && vm.get(e.getKey()).asDouble() != 0) {
            ratio.put(e.getKey(), Math.round(e.getValue().asDouble() / vm.get(e.getKey()).asDouble() * 1000) / 1000.0);
          }
        }
      }
      // The headline figures at the top level too, as the issue names them.
      main.fields().forEachRemaining(e -> out.json.set(e.getKey(), e.getValue()));
    } finally {
      children.stopAll();
      if (keep) {
        System.err.println("bench storage: data kept in " + work);
      }
    }
    out.json.put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(out.json));
    return 0;
  }

  private void measureSysLens(Fleet fleet, Path data, Child.Registry children, ObjectNode main, ObjectNode sys)
      throws Exception {
    if (launch().recordsAotCache()) {
      sys.put("aot_training_s", trainAotCache(fleet, data.resolveSibling(data.getFileName() + "-aot-training"), children));
    }
    Servers.SysLens s = Servers.SysLens.start(launch(), data, children);
    System.err.printf("syslens server pid %d on port %d, ready in %.1f s%n", s.child.pid(), s.port(), s.startSeconds);
    sys.put("first_start_s", Math.round(s.startSeconds * 100) / 100.0); // empty data dir: the fixed start cost
    // The idle server's RSS (full GC, settled) before any sample: the fixed cost that the
    // marginal figure leaves out. Taken before cpu0, so the ingest CPU does not include it.
    s.liveHeapBytes();
    long idleRss = s.child.settledRssBytes(SETTLE_MS);
    double cpu0 = s.child.cpuSeconds();
    Servers.SysLens server = s;
    Feeds.Warm warm = new Feeds.Warm(Feeds.Warm.batchesFor(fleet, roundsPerBatch), server.child::cpuSeconds);
    Feeds.Outcome o = Feeds.agents(fleet, s, roundsPerBatch, inflight, 2, channels,
        new Feeds.Progress("syslens ingest", fleet.totalSamples()), warm);
    double cpuEnd = s.child.cpuSeconds();
    double cpu = cpuEnd - cpu0;
    long peakRss = s.child.peakRssBytes(); // the ingest's high-water mark: more than the idle start
    main.put("rss_peak_bytes", peakRss);
    System.err.printf("syslens ingest (%d agents): %,.0f samples/s, %,.0f samples per server CPU-second "
        + "(%.1f CPU-s in %.1f s), %,d refused%n", hosts, o.perSecond(), o.accepted() / cpu, cpu, o.seconds(), o.refused());
    main.put("ingest_samples_per_s", round(o.perSecond()));
    main.put("ingest_samples_per_cpu_s", round(o.accepted() / cpu));
    warm(warm, o, cpuEnd, "syslens", main);
    sys.put("ingest_refused", o.refused()).put("ingest_cpu_s", cpu).put("ingest_wall_s", o.seconds());
    memory(s, idleRss, main, sys);
    QueryLoad q = QueryLoad.forFleet(fleet);
    q.run(s.api, queryRuns, main, "syslens");
    // Restart: stop, start on the same data, time until /readyz and a query answers with data.
    double stopS = s.child.stop();
    long t0 = System.nanoTime();
    s = Servers.SysLens.start(launch(), data, children);
    q.awaitData(s.api, s.child);
    double restart = (System.nanoTime() - t0) / 1e9;
    System.err.printf("syslens restart: stopped in %.1f s, healthy in %.1f s, queryable in %.1f s%n", stopS,
        s.startSeconds, restart);
    main.put("restart_s", Math.round(restart * 100) / 100.0);
    long headBytes = Servers.diskBytes(data.resolve("tsdb"));
    System.err.printf("syslens disk before compaction: %,d bytes under tsdb/ (%.2f B/sample: WAL and"
        + " checkpoint)%n", headBytes, (double) headBytes / o.accepted());
    sys.put("bytes_per_sample_uncompacted", Math.round(1000.0 * headBytes / o.accepted()) / 1000.0);
    s.child.stop();
    // On disk after compaction, as VictoriaMetrics's figure is taken after force_flush + force_merge.
    for (String line : Servers.SysLens.compact(launch(), data).split("\n")) {
      System.err.println("  " + line);
    }
    long tsdbBytes = Servers.diskBytes(data.resolve("tsdb"));
    long allBytes = Servers.diskBytes(data);
    main.put("bytes_per_sample", Math.round(1000.0 * tsdbBytes / o.accepted()) / 1000.0);
    sys.put("tsdb_bytes", tsdbBytes).put("data_dir_bytes", allBytes);
    System.err.printf("syslens disk after compaction: %,d bytes under tsdb/ (%.2f B/sample), %,d under the"
        + " data dir%n", tsdbBytes, (double) tsdbBytes / o.accepted(), allBytes);
  }

  /**
   * The first run after a build has no AOT cache for the server jar yet: the launcher's JVM records
   * one during that server's run and writes it at its exit, so the measured server would run in
   * recording mode (no cached classes, ~40 MiB more idle RSS, training data kept, a colder query
   * path) unlike every later start. A training server ingests a tenth of the fleet's hosts (at most
   * 10) into a scratch directory, answers both queries twice and stops, as {@code bench query} does.
   * Returns the seconds it took.
   */
  private double trainAotCache(Fleet fleet, Path scratch, Child.Registry children) throws Exception {
    long t0 = System.nanoTime();
    Servers.SysLens t = Servers.SysLens.start(launch(), scratch, children);
    int hosts = Math.max(1, Math.min(10, fleet.hosts() / 10));
    Feeds.agents(fleet, 0, hosts, t, roundsPerBatch, inflight, 2, Math.min(channels, hosts),
        new Feeds.Progress("aot training ingest", (long) hosts * fleet.seriesPerHost() * fleet.rounds()), null);
    QueryLoad.forFleet(fleet).run(t.api, 2, PromApi.JSON.createObjectNode(), "aot training");
    t.child.stop();
    Servers.deleteTree(scratch);
    double sec = (System.nanoTime() - t0) / 1e9;
    System.err.printf("syslens: AOT cache trained on ingest and queries in %.1f s (recorded: %s)%n", sec,
        !launch().recordsAotCache());
    return sec;
  }

  /**
   * Samples per server CPU-second after the first sixth of the batches: the steady state of a
   * server that runs for weeks, without the one-off class loading and JIT compilation of a fresh
   * JVM (the whole-run figure, {@code ingest_samples_per_cpu_s}, keeps them).
   */
  private static void warm(Feeds.Warm warm, Feeds.Outcome o, double cpuEnd, String who, ObjectNode out) {
    if (!warm.taken()) {
      return;
    }
    double rate = warm.perCpuSecond(o.accepted(), cpuEnd);
    System.err.printf("%s ingest after the first %d batches (warm-up): %,.0f samples per server CPU-second%n",
        who, warm.batches, rate);
    out.put("ingest_samples_per_cpu_s_warm", round(rate));
  }

  /** How long the RSS may take to settle after the full GC (or VictoriaMetrics's flush). */
  static final long SETTLE_MS = 10_000;

  /** The scale elsewhere (1,000 hosts x 250 series): where the projected whole-process figure is taken. */
  static final long PROJECTED_SERIES = 250_000;

  /**
   * Puts the RAM figures: {@code ram_bytes_per_series}, the whole process's RSS over the stored
   * series at this run's scale (the key, unchanged); {@code ram_marginal_bytes_per_series},
   * (RSS - the same process's idle RSS before the ingest) / series, i.e. what the series and their
   * samples cost above the fixed baseline (an upper bound of the slope: it also holds the ingest's
   * own fixed costs, JIT code, buffers, thread stacks; {@code bench memory} measures the slope between
   * two loaded scales); and {@code ram_bytes_per_series_at_250k}, the whole-process figure projected
   * to 250,000 series as idle + marginal x series (a projection, not a measurement).
   */
  static void ramFigures(long rss, long idleRss, double series, ObjectNode out, String who) {
    long marginal = Math.round((rss - idleRss) / series);
    out.put("ram_bytes_per_series", Math.round(rss / series));
    out.put("ram_marginal_bytes_per_series", marginal);
    out.put("ram_bytes_per_series_at_250k", Math.round((double) idleRss / PROJECTED_SERIES + marginal));
    System.err.printf("%s RAM per series against the 2 KiB target: whole process %,d B at %,.0f series (%s), above the"
        + " idle %,d MiB %,d B (%s); projected whole process at 250,000 series %,d B (%s)%n", who,
        Math.round(rss / series), series, meets(rss / series), idleRss >> 20, marginal, meets(marginal),
        out.path("ram_bytes_per_series_at_250k").asLong(), meets(out.path("ram_bytes_per_series_at_250k").asDouble()));
  }

  private static String meets(double bytesPerSeries) {
    return bytesPerSeries <= 2048 ? "meets" : "misses";
  }

  private static void memory(Servers.SysLens s, long idleRss, ObjectNode main, ObjectNode sys) throws Exception {
    double series = s.metric("syslens_tsdb_series", null);
    // The RSS as the ingest left it, before the full GC that the live-heap figure needs (the
    // headline RSS is taken after it): how much a collection gives back.
    long rssBeforeGc = s.child.rssBytes();
    double heap = s.liveHeapBytes();
    long rssAtGc = s.child.rssBytes(); // how this figure was taken up to 2026-12-01 03:40
    long rss = s.child.settledRssBytes(SETTLE_MS);
    ramFigures(rss, idleRss, series, main, "syslens");
    main.put("heap_bytes_per_series", Math.round(heap / series));
    sys.put("rss_bytes", rss).put("idle_rss_bytes", idleRss).put("rss_before_gc_bytes", rssBeforeGc).put("rss_right_after_gc_bytes", rssAtGc)
        .put("live_heap_bytes", heap).put("stored_series", series);
    System.err.printf("syslens memory: RSS %,d MiB (peak %,d MiB, %,d MiB before the full GC, %,d MiB right after it),"
        + " live heap %,.0f MiB for %,.0f series: %,.0f B RSS and %,.0f B heap per series%n",
        rss >> 20, s.child.peakRssBytes() >> 20, rssBeforeGc >> 20, rssAtGc >> 20, heap / (1 << 20), series, rss / series, heap / series);
  }

  private void measureVictoria(Fleet fleet, Path data, Child.Registry children, ObjectNode vm) throws Exception {
    Servers.Victoria v = Servers.Victoria.start(data, children);
    System.err.printf("victoria-metrics pid %d, ready in %.1f s%n", v.child.pid(), v.startSeconds);
    long idleRss = v.child.settledRssBytes(SETTLE_MS);
    double cpu0 = v.child.cpuSeconds();
    Servers.Victoria peer = v;
    Feeds.Warm warm = new Feeds.Warm(Feeds.Warm.batchesFor(fleet, roundsPerBatch), peer.child::cpuSeconds);
    Feeds.Outcome o = Feeds.victoria(fleet, v, roundsPerBatch, Math.max(2, channels * inflight),
        new Feeds.Progress("victoriametrics import", fleet.totalSamples()), warm);
    v.api.get("/internal/force_flush", Duration.ofMinutes(5));
    double cpuEnd = v.child.cpuSeconds();
    double cpu = cpuEnd - cpu0;
    warm(warm, o, cpuEnd, "victoriametrics", vm);
    System.err.printf("victoriametrics import: %,.0f samples/s, %,.0f samples per server CPU-second (%.1f CPU-s)%n",
        o.perSecond(), o.accepted() / cpu, cpu);
    vm.put("ingest_samples_per_s", round(o.perSecond()));
    vm.put("ingest_samples_per_cpu_s", round(o.accepted() / cpu));
    QueryLoad q = QueryLoad.forFleet(fleet);
    q.awaitData(v.api, v.child);
    long series = (long) fleet.hosts() * fleet.seriesPerHost();
    // The same rule as SysLens's: Go's scavenger also returns memory in the background.
    long rss = v.child.settledRssBytes(SETTLE_MS);
    vm.put("rss_peak_bytes", v.child.peakRssBytes());
    ramFigures(rss, idleRss, series, vm, "victoriametrics");
    System.err.printf("victoriametrics memory: RSS %,d MiB, %,d B per series%n", rss >> 20, rss / series);
    q.run(v.api, queryRuns, vm, "victoriametrics");
    v.flushAndMerge(fleet.startMs(), fleet.endMs());
    long bytes = Servers.diskBytes(data);
    vm.put("bytes_per_sample", Math.round(1000.0 * bytes / o.accepted()) / 1000.0);
    System.err.printf("victoriametrics disk: %,d bytes (%.2f B/sample) after flush and merge%n", bytes,
        (double) bytes / o.accepted());
    double stopS = v.child.stop();
    long t0 = System.nanoTime();
    v = Servers.Victoria.start(data, children);
    q.awaitData(v.api, v.child);
    double restart = (System.nanoTime() - t0) / 1e9;
    System.err.printf("victoriametrics restart: stopped in %.1f s, queryable in %.1f s%n", stopS, restart);
    vm.put("restart_s", Math.round(restart * 100) / 100.0);
    v.child.stop();
  }

  static long round(double d) {
    return Math.round(d);
  }

  private static void positive(String name, int v, int max) {
    if (v < 1 || v > max) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: 1.." + max + ")");
    }
  }

  /** The JSON printed last. */
  static final class Report {
    final ObjectNode json = PromApi.JSON.createObjectNode();
  }
}
