package syslens.server.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import syslens.query.Engine;

/**
 * What queries may spend, server-wide (flags {@code --query-*}):
 *
 * <ul>
 *   <li>{@code timeout}: per query, default 2 min (Prometheus' {@code --query.timeout});
 *   <li>{@code maxSamples}: samples one query may hold, default 50,000,000
 *       ({@code --query.max-samples});
 *   <li>{@code maxSeries}: series one query may return, default 300,000;
 *   <li>{@code maxConcurrent}: queries evaluated at once, default the number of cores (at least
 *       2); more wait in a queue of at most {@code maxQueued} (default 256) for at most
 *       {@code queueTimeout} (default 30 s) before failing with a timeout.
 * </ul>
 */
public record QueryLimits(Duration timeout, long maxSamples, int maxSeries, int maxConcurrent,
    int maxQueued, Duration queueTimeout) {
  public QueryLimits {
    requireNonNull(timeout, "timeout");
    requireNonNull(queueTimeout, "queueTimeout");
    positive("timeout", timeout);
    positive("queueTimeout", queueTimeout);
    if (maxSamples <= 0) {
      throw new IllegalArgumentException("maxSamples: " + maxSamples + " (expected: > 0)");
    }
    if (maxSeries <= 0) {
      throw new IllegalArgumentException("maxSeries: " + maxSeries + " (expected: > 0)");
    }
    if (maxConcurrent <= 0 || maxConcurrent > 1024) {
      throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent
          + " (expected: 1..1024)");
    }
    if (maxQueued < 0 || maxQueued > 100_000) {
      throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: 0..100000)");
    }
  }

  private static void positive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }

  /** The documented defaults. */
  public static QueryLimits defaults() {
    return new QueryLimits(Duration.ofMinutes(2), Engine.DEFAULT_MAX_SAMPLES,
        Engine.DEFAULT_MAX_SERIES, Math.max(2, Runtime.getRuntime().availableProcessors()), 256,
        Duration.ofSeconds(30));
  }
}
