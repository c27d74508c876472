package syslens.query;

/** Counts samples a query holds and fails it past the engine's limit. Not thread-safe. */
final class SampleBudget {
  private final long max;
  private long used;

  SampleBudget(long max) {
    this.max = max;
  }

  void add(long n) {
    used += n;
    if (used > max) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "query processing would load too many samples into memory in query execution");
    }
  }

  long used() {
    return used;
  }
}
