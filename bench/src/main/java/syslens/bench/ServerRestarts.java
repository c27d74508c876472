package syslens.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Whole-server start times for {@code bench restart}: the server jar started as {@code ./syslens
 * server} starts it (the launcher's JVM options, class-data archive included), timed from process
 * start until {@code /readyz} answers 200, the admin has logged in and a PromQL query has answered
 * (with one host's series when the data directory holds samples).
 */
final class ServerRestarts {
  private final Servers.Launch launch;
  private final Child.Registry children;

  ServerRestarts(Servers.Launch launch, Child.Registry children) {
    this.launch = requireNonNull(launch, "launch");
    this.children = requireNonNull(children, "children");
  }

  /** One start: seconds to ready, and to queryable. */
  record Start(double readySeconds, double queryableSeconds) {}

  /**
   * Starts the server {@code 1 + starts} times on {@code data}: the first start (keys, schema,
   * admin) is reported apart, then {@code starts} restarts; puts {@code <key>_first_ms},
   * {@code <key>_ms} (median of the restarts to queryable) and {@code <key>_ready_ms} into {@code json}.
   */
  void measure(String key, Path data, String query, int starts, ObjectNode json) throws Exception {
    requireNonNull(key, "key");
    requireNonNull(query, "query");
    List<Double> queryable = new ArrayList<>();
    List<Double> ready = new ArrayList<>();
    for (int i = 0; i <= starts; i++) {
      Start s = once(data, query);
      System.err.printf("server %s %s: ready in %.2f s, queryable in %.2f s%n", key,
          i == 0 ? "first start" : "restart " + i, s.readySeconds(), s.queryableSeconds());
      if (i == 0) {
        json.put(key + "_first_ms", Math.round(s.queryableSeconds() * 1000));
      } else {
        queryable.add(s.queryableSeconds());
        ready.add(s.readySeconds());
      }
    }
    if (starts > 0) {
      json.put(key + "_ms", Math.round(median(queryable) * 1000));
      json.put(key + "_ready_ms", Math.round(median(ready) * 1000));
    }
  }

  private Start once(Path data, String query) throws Exception {
    long t0 = System.nanoTime();
    Servers.SysLens s = Servers.SysLens.start(launch, data, children);
    try {
      long now = System.currentTimeMillis();
      PromApi.Result r = s.api.queryRange(query, now - 3 * 3_600_000L, now, 60_000, Duration.ofMinutes(1));
      if (r.error() != null) {
        throw new IllegalStateException("first query " + query + " failed: " + r.error() + "; see " + s.child.log());
      }
      if (r.series() == 0) {
        throw new IllegalStateException("first query " + query + " found no series (expected: at least one)");
      }
      return new Start(s.startSeconds, (System.nanoTime() - t0) / 1e9);
    } finally {
      double stopped = s.child.stop();
      System.err.printf("server stopped in %.1f s (SIGTERM; SIGKILL after 30 s, then no checkpoint)%n", stopped);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int mid = s.size() / 2;
    return s.size() % 2 == 1 ? s.get(mid) : (s.get(mid - 1) + s.get(mid)) / 2;
  }
}
