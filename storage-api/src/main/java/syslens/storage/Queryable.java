package syslens.storage;

/** Anything that can be queried: the embedded TSDB, a remote store, a test fixture. */
public interface Queryable {
  /** A querier over samples with mint <= t <= maxt (milliseconds since the epoch). */
  Querier querier(long mint, long maxt);
}
