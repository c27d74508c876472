package syslens.storage;

import static java.util.Objects.requireNonNull;

/**
 * What a query will do with the series it selects, so storage can answer from the cheapest data
 * that gives the same result (e.g. 1-hour rollups for a 30-day dashboard at a 1-hour step). Passed
 * by the query engine through {@link Querier#select(SelectHints, List)}; storage may ignore it.
 *
 * @param start first evaluation timestamp (ms), minus the range for a range function
 * @param end last evaluation timestamp (ms)
 * @param step evaluation step in ms (0 for an instant query)
 * @param func the PromQL function applied to the selector ("rate", "avg_over_time", ...), or ""
 *     when the selector is used directly
 * @param range the range of a range selector in ms ({@code x[5m]} is 300000), 0 for an instant
 *     vector selector
 * @param forceRaw true when the user asked for raw samples (no rollups)
 */
public record SelectHints(long start, long end, long step, String func, long range, boolean forceRaw) {
  public SelectHints {
    requireNonNull(func, "func");
    if (step < 0) {
      throw new IllegalArgumentException("step: " + step + " (expected: >= 0)");
    }
    if (range < 0) {
      throw new IllegalArgumentException("range: " + range + " (expected: >= 0)");
    }
  }

  /** Hints for a plain selection over [start, end] that must see raw samples. */
  public static SelectHints raw(long start, long end) {
    return new SelectHints(start, end, 0, "", 0, true);
  }
}
