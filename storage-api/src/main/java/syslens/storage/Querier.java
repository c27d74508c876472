package syslens.storage;

import java.util.List;

/**
 * Reads series from a fixed time range, fixed when the querier was opened. Close it when done
 * so storage can reclaim what it pinned.
 */
public interface Querier extends AutoCloseable {
  /**
   * The series matching all matchers (at least one matcher must not match the empty string), with
   * samples restricted to [mint, maxt] of this querier, sorted by labels.
   */
  SeriesSet select(List<Matcher> matchers);

  /**
   * Like {@link #select(List)}, with hints about what the query does with the series (range, step,
   * function), so storage can answer from rollups where that gives the same result. Queriers that
   * cannot use hints return raw samples.
   */
  default SeriesSet select(SelectHints hints, List<Matcher> matchers) {
    return select(matchers);
  }

  /** Label names present in the range, sorted. */
  List<String> labelNames();

  /** Values of label {@code name} present in the range, sorted. */
  List<String> labelValues(String name);

  @Override
  void close();
}
