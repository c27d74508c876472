package syslens.query;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import syslens.storage.Queryable;

/**
 * Evaluates PromQL over a {@link Queryable}. Thread-safe; one engine serves all queries.
 * (API placeholder: the evaluator is being written.)
 */
public final class Engine {
  private final Queryable queryable;

  private Engine(Builder b) {
    this.queryable = b.queryable;
  }

  public static Builder builder(Queryable queryable) {
    return new Builder(queryable);
  }

  /** Evaluates {@code query} at {@code timeMs}. */
  public Value instantQuery(String query, long timeMs) {
    throw new QueryException(QueryException.Kind.EXECUTION, "not implemented");
  }

  /** Evaluates {@code query} at start, start+step, ... <= end; always a matrix. */
  public Matrix rangeQuery(String query, long startMs, long endMs, long stepMs) {
    throw new QueryException(QueryException.Kind.EXECUTION, "not implemented");
  }

  public static final class Builder {
    private final Queryable queryable;
    Duration lookbackDelta = Duration.ofMinutes(5);
    Duration timeout = Duration.ofMinutes(2);
    int maxSamples = 50_000_000;
    Clock clock = Clock.systemUTC();

    private Builder(Queryable queryable) {
      this.queryable = requireNonNull(queryable, "queryable");
    }

    public Builder lookbackDelta(Duration d) {
      this.lookbackDelta = requireNonNull(d, "lookbackDelta");
      return this;
    }

    public Builder timeout(Duration d) {
      this.timeout = requireNonNull(d, "timeout");
      return this;
    }

    public Builder maxSamples(int n) {
      this.maxSamples = n;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Engine build() {
      return new Engine(this);
    }
  }
}
