package syslens.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import syslens.query.Engine;
import syslens.tsdb.Tsdb;
import syslens.tsdb.block.Blocks;

/**
 * {@code ./syslens bench query}'s classes evaluated in-process by the engine over a real {@link
 * Tsdb} (the same node_exporter-like hosts, appended in-process, read from the head), timed in
 * CPU time of the evaluating thread: the engine and storage read path without HTTP, JSON or the
 * scheduler of a loaded machine. One line per class: median and min CPU ms, median wall ms.
 *
 * <p>Run: {@code java -Xmx4g -cp bench/target/benchmarks.jar syslens.bench.QueryTsdbCpuTime
 * 1000 5} (hosts, measured runs per class after 2 warm-up runs; 100 series per host, 30 min at
 * 10 s; an optional third argument, a regex, picks classes; an optional fourth, series per host).
 * Besides {@code bench query}'s classes, {@code storage_host} and {@code storage_fleet} are {@code
 * bench storage}'s two queries (one host, every host; 15 s step over all the data).
 */
public final class QueryTsdbCpuTime {
  private QueryTsdbCpuTime() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String only = args.length > 2 ? args[2] : ".*";
    int seriesPerHost = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    if (hosts < 1 || runs < 1) {
      throw new IllegalArgumentException("hosts: " + hosts + ", runs: " + runs + " (expected: both >= 1)");
    }
    int rounds = 180;
    long interval = 10_000;
    long start = (System.currentTimeMillis() / 60_000) * 60_000 - rounds * interval - 60_000;
    Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), hosts, seriesPerHost, rounds, interval, start, true, 42);
    Path dir = Files.createTempDirectory("syslens-query-cpu-");
    try (Tsdb tsdb = Tsdb.builder(dir.resolve("tsdb")).build()) {
      Feeds.inProcess(fleet, tsdb, 2, 6);
      Engine engine = Engine.builder(tsdb).build();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long end = fleet.endMs();
      java.util.List<QueryBench.QueryClass> classes = new java.util.ArrayList<>(QueryBench.CLASSES);
      classes.add(new QueryBench.QueryClass("storage_host",
          "100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\",instance=\"%1$s\"}[5m])))", 24 * 3_600_000L,
          QueryLoad.STEP_MS));
      classes.add(new QueryBench.QueryClass("storage_fleet", "avg by (instance) (rate(node_cpu_seconds_total[5m]))",
          3_600_000L, QueryLoad.STEP_MS));
      for (QueryBench.QueryClass c : classes) {
        if (!c.name().matches(only)) {
          continue;
        }
        String q = String.format(c.promql(), Fleet.hostName(3));
        long s = Math.max(fleet.startMs(), end - c.rangeMs());
        double[] cpu = new double[runs];
        double[] wall = new double[runs];
        for (int i = -2; i < runs; i++) {
          long t = mx.getCurrentThreadCpuTime();
          long w = System.nanoTime();
          engine.rangeQuery(q, s, end, c.stepMs());
          if (i >= 0) {
            cpu[i] = (mx.getCurrentThreadCpuTime() - t) / 1e6;
            wall[i] = (System.nanoTime() - w) / 1e6;
          }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf("%-20s cpu ms: median %.1f, min %.1f; wall ms: median %.1f%n", c.name(), cpu[runs / 2],
            cpu[0], wall[runs / 2]);
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }
}
