package syslens.report;

import java.time.Duration;

/**
 * The evaluation step of a report's range queries: the finest of a few round steps that keeps
 * every series at most {@link #MAX_POINTS} points. Every query averages over its step ({@code
 * avg_over_time(x[step])}), so storage answers a month from 5-minute rollups and a year from
 * 1-hour rollups (a tier of resolution r serves a step of at least 5 r; docs/format/block.md).
 */
final class Steps {
  static final int MAX_POINTS = 800;
  static final long[] CANDIDATES = {
      Duration.ofMinutes(1).toMillis(), Duration.ofMinutes(5).toMillis(), Duration.ofMinutes(15).toMillis(),
      Duration.ofHours(1).toMillis(), Duration.ofHours(3).toMillis(), Duration.ofHours(6).toMillis(),
      Duration.ofDays(1).toMillis()};

  private Steps() {}

  /** The step for a period of {@code periodMs}. */
  static long forPeriod(long periodMs) {
    for (long c : CANDIDATES) {
      if (periodMs / c <= MAX_POINTS) {
        return c;
      }
    }
    return CANDIDATES[CANDIDATES.length - 1];
  }

  /** PromQL duration text of a step, e.g. {@code 1h}. */
  static String promql(long stepMs) {
    if (stepMs % 3_600_000 == 0) {
      return stepMs / 3_600_000 + "h";
    }
    if (stepMs % 60_000 == 0) {
      return stepMs / 60_000 + "m";
    }
    return stepMs / 1000 + "s";
  }
}
