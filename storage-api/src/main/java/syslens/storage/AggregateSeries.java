package syslens.storage;

/**
 * A series answered (at least in part) from a rollup tier, returned by {@link
 * Querier#select(SelectHints, java.util.List)} when the hints' function can be computed from
 * per-interval aggregates ({@code rate}, {@code increase}, {@code *_over_time} of min, max, sum,
 * count, avg, last). {@link #iterator()} still yields one sample per point (what an engine that
 * knows nothing of rollups gets); {@link #aggregates()} gives the columns an engine needs to
 * compute those functions exactly over windows aligned to the tier's interval. Storage may leave
 * out (as NaN) the columns the hints' function does not read, e.g. all but sum and count for
 * {@code avg_over_time}, and {@link #iterator()} is then meant only for that function.
 */
public interface AggregateSeries extends Series {
  /** The series' points over the querier's range, in time order; raw samples as points of count 1. */
  Aggregates aggregates();
}
