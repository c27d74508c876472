package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The storage benchmark's two queries: one host's CPU over up to 24 h and {@code avg by (instance)}
 * of CPU rate over every host over up to 1 h, both at a 15 s step.
 */
final class QueryLoad {
  static final long STEP_MS = 15_000;
  static final Duration TIMEOUT = Duration.ofMinutes(2);
  private final Fleet fleet;
  private final String hostQuery;
  private final String fleetQuery;

  private QueryLoad(Fleet fleet, String hostQuery, String fleetQuery) {
    this.fleet = fleet;
    this.hostQuery = hostQuery;
    this.fleetQuery = fleetQuery;
  }

  static QueryLoad forFleet(Fleet f) {
    return f.shape() == Fleet.Shape.TSBS_CPU_ONLY
        ? new QueryLoad(f, "max_over_time(cpu_usage_user{hostname=\"%s\"}[5m])", "avg by (instance) (cpu_usage_user)")
        : new QueryLoad(f, "100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\",instance=\"%s\"}[5m])))",
            "avg by (instance) (rate(node_cpu_seconds_total[5m]))");
  }

  private String host(int i) {
    return String.format(hostQuery, Fleet.hostName(i % fleet.hosts()));
  }

  /** Waits until the one-host query returns a series (data replayed, queries served). */
  void awaitData(PromApi api, Child child) throws InterruptedException {
    long deadline = System.nanoTime() + Servers.START_TIMEOUT.toNanos();
    PromApi.Result last = null;
    while (System.nanoTime() < deadline) {
      child.checkAlive();
      last = api.queryRange(host(0), fleet.endMs() - 600_000, fleet.endMs(), 60_000, TIMEOUT);
      if (last.error() == null && last.series() > 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(api.base() + " returned no data within " + Servers.START_TIMEOUT.toMinutes()
        + " min (last: " + last + ")");
  }

  /** Runs both queries (2 warm-ups, then {@code runs} each) and puts p50/p99 into {@code out}. */
  void run(PromApi api, int runs, ObjectNode out, String who) {
    long end = fleet.endMs();
    long hostStart = Math.max(fleet.startMs(), end - 24 * 3_600_000L);
    long fleetStart = Math.max(fleet.startMs(), end - 3_600_000L);
    List<Double> hostMs = new ArrayList<>();
    List<Double> fleetMs = new ArrayList<>();
    String error = null;
    for (int i = -2; i < runs; i++) {
      PromApi.Result a = api.queryRange(host(i + 2), hostStart, end, STEP_MS, TIMEOUT);
      PromApi.Result b = api.queryRange(fleetQuery, fleetStart, end, STEP_MS, TIMEOUT);
      for (PromApi.Result r : List.of(a, b)) {
        if (r.error() != null) {
          error = r.error();
        }
      }
      if (i >= 0) {
        hostMs.add(a.millis());
        fleetMs.add(b.millis());
      }
    }
    if (error != null) {
      out.put("query_error", error);
    }
    List<Double> all = new ArrayList<>(hostMs);
    all.addAll(fleetMs);
    out.put("query_p50_ms", pct(all, 50)).put("query_p99_ms", pct(all, 99))
        .put("query_host_p50_ms", pct(hostMs, 50)).put("query_host_p99_ms", pct(hostMs, 99))
        .put("query_fleet_p50_ms", pct(fleetMs, 50)).put("query_fleet_p99_ms", pct(fleetMs, 99));
    System.err.printf("%s queries: one host over %.1f h: p50 %.1f ms, p99 %.1f ms; avg by (instance) over %d hosts, "
        + "%.1f h: p50 %.1f ms, p99 %.1f ms%s%n", who, (end - hostStart) / 3.6e6, pct(hostMs, 50), pct(hostMs, 99),
        fleet.hosts(), (end - fleetStart) / 3.6e6, pct(fleetMs, 50), pct(fleetMs, 99),
        error == null ? "" : " (error: " + error + ")");
    // Each run's time, in order: where the slowest runs fall says whether they are a cold path
    // (first runs) or a pause (anywhere). Under 100 runs the p99 is the slowest one.
    System.err.printf("%s one-host query per run (ms): %s%n%s fleet query per run (ms): %s%n", who, rounded(hostMs),
        who, rounded(fleetMs));
  }

  private static String rounded(List<Double> ms) {
    return ms.stream().map(m -> String.format("%.1f", m)).collect(java.util.stream.Collectors.joining(" "));
  }

  /** Nearest-rank percentile, rounded to 0.1 ms. */
  static double pct(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100 * v.length);
    return Math.round(v[Math.max(0, rank - 1)] * 10) / 10.0;
  }
}
