package syslens.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SeriesSet;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens bench restart}: the engine's restart time on its own. Writes a fleet's samples
 * into an in-process {@link Tsdb} (WAL on, as {@code bench storage}'s append phase), closes it
 * (which checkpoints the head), then opens it again {@code --opens} times and times each open
 * until one host's series answer a query. {@code --data DIR} keeps the data, and a second run on
 * the same directory skips the write, so two builds can be timed alternately on equal data.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
    description = "Engine restart: write a fleet into a Tsdb, close, time Tsdb open until queryable. Last stdout "
        + "line: one JSON object; with --server-starts also the whole server's start and restart (server_start_ms, restart_ms).")
final class RestartBench extends BenchMain.Common implements Callable<Integer> {
  @Option(names = "--hosts", paramLabel = "N", defaultValue = "1000", description = "Simulated hosts. Default: ${DEFAULT-VALUE}.")
  int hosts;

  @Option(names = "--hours", paramLabel = "H", defaultValue = "2", description = "Hours of data, ending now. Default: ${DEFAULT-VALUE}.")
  double hours;

  @Option(names = "--data", paramLabel = "DIR",
      description = "TSDB directory: written when it does not exist, reused (no write) when it does; kept.")
  Path data;

  @Option(names = "--opens", paramLabel = "N", defaultValue = "3", description = "Timed opens. Default: ${DEFAULT-VALUE}.")
  int opens;

  @Option(names = "--server-starts", paramLabel = "N", defaultValue = "3",
      description = "Timed whole-server restarts (the server jar, as ./syslens server), on an empty data directory and "
          + "on the written data, after one first start each; 0: the engine alone. Default: ${DEFAULT-VALUE}.")
  int serverStarts;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "Append threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--crash",
      description = "No checkpoint, when writing nor at any open's close (as after a SIGKILL): every open replays the whole WAL.")
  boolean crash;

  /** A Tsdb that checkpoints on close (and every 15 min), or never with --crash. */
  private Tsdb open(Path dir) {
    Tsdb.Builder b = Tsdb.builder(dir);
    return crash ? b.checkpointInterval(java.time.Duration.ZERO).build() : b.build();
  }

  @Override
  int hosts() {
    return hosts;
  }

  @Override
  double hours() {
    return hours;
  }

  /** CPU time of this process (every thread: the open's, GC, JIT). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  @Override
  public Integer call() throws Exception {
    check();
    if (opens < 1 || opens > 100) {
      throw new IllegalArgumentException("--opens: " + opens + " (expected: 1..100)");
    }
    if (serverStarts < 0 || serverStarts > 100) {
      throw new IllegalArgumentException("--server-starts: " + serverStarts + " (expected: 0..100)");
    }
    Path dir = data != null ? data : Files.createTempDirectory("syslens-restart-").resolve("tsdb");
    ObjectNode json = PromApi.JSON.createObjectNode();
    if (!Files.exists(dir)) {
      int rounds = rounds();
      Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), hosts, seriesPerHost, rounds, intervalMs(),
          startMs(rounds), false, seed);
      System.err.printf("bench restart: writing %d hosts x %d series x %d rounds = %,d samples into %s%n", hosts,
          fleet.seriesPerHost(), rounds, fleet.totalSamples(), dir);
      long w0 = System.nanoTime();
      Tsdb tsdb = open(dir);
      Feeds.Outcome o = Feeds.inProcess(fleet, tsdb, threads, 6);
      long c0 = System.nanoTime();
      tsdb.close();
      System.err.printf("written: %,.0f samples/s appending (%,d refused), %.1f s in all, close (checkpoint) %.1f s%n",
          o.perSecond(), o.refused(), (System.nanoTime() - w0) / 1e9, (System.nanoTime() - c0) / 1e9);
      json.put("append_samples_per_s", Math.round(o.perSecond()));
    } else {
      System.err.println("bench restart: reusing " + dir);
    }
    json.put("tsdb_bytes", Servers.diskBytes(dir));
    ArrayNode runs = json.putArray("open_s");
    ArrayNode cpus = json.putArray("open_cpu_s");
    ArrayNode closes = json.putArray("close_s");
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < opens; i++) {
      System.gc();
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      Tsdb tsdb = open(dir);
      int found;
      long samples = 0;
      try (Querier q = tsdb.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
        SeriesSet set = q.select(List.of(Matcher.equal("instance", Fleet.hostName(0))));
        found = 0;
        for (syslens.storage.Series series : set) {
          syslens.storage.SampleIterator it = series.iterator();
          while (it.next()) {
            samples++;
          }
          found++;
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      Tsdb.Stats st = tsdb.stats();
      Runtime rt = Runtime.getRuntime();
      long heap = rt.totalMemory() - rt.freeMemory();
      System.err.printf("open %d: queryable in %.2f s, %.2f CPU-s (%,d series; host 0 has %d with %,d samples; WAL replay %d ms, %,d samples"
          + " replayed; heap in use %,d MiB)%n", i + 1, s, cpu, st.numSeries(), found, samples, st.walReplayMillis(),
          st.walReplayedSamples(), heap >> 20);
      if (found == 0) {
        throw new IllegalStateException("host 0 has no series after the open (expected: its series)");
      }
      long c0 = System.nanoTime();
      tsdb.close();
      double closeS = (System.nanoTime() - c0) / 1e9;
      System.err.printf("close %d: %.2f s%s%n", i + 1, closeS, crash ? "" : " (checkpoint of the head)");
      closes.add(Math.round(closeS * 1000) / 1000.0);
      runs.add(Math.round(s * 1000) / 1000.0);
      cpus.add(Math.round(cpu * 1000) / 1000.0);
      times.add(s);
    }
    Collections.sort(times);
    int mid = times.size() / 2;
    double median = times.size() % 2 == 1 ? times.get(mid) : (times.get(mid - 1) + times.get(mid)) / 2;
    json.put("open_median_s", Math.round(median * 1000) / 1000.0);
    if (serverStarts > 0) {
      servers(dir, json);
    }
    json.put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(json));
    return 0;
  }

  /**
   * The whole server: {@code server_start_ms} on an empty data directory, {@code restart_ms} with
   * the written data (its tsdb/ is a link to DIR), each the median of the restarts to queryable.
   */
  private void servers(Path dir, ObjectNode json) throws Exception {
    Path abs = dir.toAbsolutePath();
    Path root = Files.createTempDirectory(workDir != null ? workDir : abs.getParent(), "syslens-restart-server-");
    Child.Registry children = Child.Registry.withShutdownHook();
    try {
      ServerRestarts r = new ServerRestarts(launch(), children);
      r.measure("server_start", root.resolve("empty"), "vector(1)", serverStarts, json);
      Path data = Files.createDirectories(root.resolve("data"));
      Files.createSymbolicLink(data.resolve("tsdb"), abs);
      r.measure("restart", data, "{instance=\"" + Fleet.hostName(0) + "\"}", serverStarts, json);
    } finally {
      children.stopAll();
      if (!keep) {
        Files.deleteIfExists(root.resolve("data").resolve("tsdb")); // the link, not the data it points to
        Servers.deleteTree(root);
      }
    }
    System.err.printf("server: start on an empty directory %.2f s, restart with the data %.2f s (median to queryable)%n",
        json.path("server_start_ms").asLong() / 1000.0, json.path("restart_ms").asLong() / 1000.0);
  }
}
