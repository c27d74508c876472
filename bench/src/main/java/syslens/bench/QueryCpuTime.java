package syslens.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The five {@link QueryBenchmark} queries timed in CPU time of the evaluating thread rather than
 * wall time, which on a loaded shared machine measures the engine instead of the scheduler.
 * Prints one line per query and, last, one JSON object of median CPU milliseconds.
 *
 * <p>Run: {@code java -Xmx6g -cp bench/target/benchmarks.jar syslens.bench.QueryCpuTime 1000 5}
 * (hosts, measured runs per query after 3 warm-up runs).
 */
public final class QueryCpuTime {
  private QueryCpuTime() {}

  public static void main(String[] args) {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    if (hosts < 1 || runs < 1) {
      throw new IllegalArgumentException("hosts: " + hosts + ", runs: " + runs
          + " (expected: both >= 1)");
    }
    QueryBenchmark b = new QueryBenchmark();
    b.hosts = hosts;
    b.setUp();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    String[] names = {"sumByModeRate", "topkRate", "gaugeRatio", "avgLoad", "countUp"};
    Supplier<?>[] queries = {b::sumByModeRate, b::topkRate, b::gaugeRatio, b::avgLoad,
        b::countUp};
    StringBuilder json = new StringBuilder("{\"hosts\":" + hosts);
    for (int q = 0; q < names.length; q++) {
      long[] cpu = new long[runs];
      for (int i = -3; i < runs; i++) {
        long t = mx.getCurrentThreadCpuTime();
        queries[q].get();
        if (i >= 0) {
          cpu[i] = mx.getCurrentThreadCpuTime() - t;
        }
      }
      Arrays.sort(cpu);
      double median = cpu[runs / 2] / 1e6;
      System.out.printf("%-14s cpu ms: median %.1f, min %.1f, max %.1f%n", names[q], median,
          cpu[0] / 1e6, cpu[runs - 1] / 1e6);
      json.append(",\"").append(names[q]).append("_cpu_ms\":")
          .append(String.format(java.util.Locale.ROOT, "%.1f", median));
    }
    System.out.println(json.append('}'));
  }
}
