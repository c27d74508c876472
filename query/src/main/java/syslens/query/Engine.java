package syslens.query;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.query.Val.Mat;
import syslens.query.Val.Sample;
import syslens.query.Val.Sca;
import syslens.query.Val.Str;
import syslens.query.Val.Vec;
import syslens.query.Val.Window;
import syslens.query.parser.Expr;
import syslens.query.parser.Parser;
import syslens.query.parser.ValueType;
import syslens.storage.Labels;
import syslens.storage.Queryable;

/**
 * Evaluates PromQL over a {@link Queryable} with Prometheus 2.42's semantics. Thread-safe; one
 * engine serves all queries. Each query opens one querier over the time span all its selectors
 * need and selects each distinct selector once.
 */
public final class Engine {
  /** Prometheus' limit on points per series of a range query. */
  static final long MAX_POINTS_PER_SERIES = 11_000;

  private final Queryable queryable;
  private final long lookbackMs;
  private final Duration timeout;
  private final int maxSamples;
  private final Clock clock;

  private Engine(Builder b) {
    this.queryable = b.queryable;
    this.lookbackMs = b.lookbackDelta.toMillis();
    this.timeout = b.timeout;
    this.maxSamples = b.maxSamples;
    this.clock = b.clock;
  }

  public static Builder builder(Queryable queryable) {
    return new Builder(queryable);
  }

  /** Parses {@code query} without evaluating it; BAD_DATA on a syntax or type error. */
  public static Expr parse(String query) {
    requireNonNull(query, "query");
    return Parser.parse(query);
  }

  /** Evaluates {@code query} at {@code timeMs}. */
  public Value instantQuery(String query, long timeMs) {
    Expr expr = prepare(query);
    long deadline = deadline();
    SampleBudget budget = new SampleBudget(maxSamples);
    Evaluator ev = new Evaluator(
        SeriesLoader.load(queryable, expr, timeMs, timeMs, lookbackMs, budget), lookbackMs,
        timeMs, timeMs);
    checkDeadline(deadline);
    Val v = ev.eval(expr, timeMs);
    return switch (v) {
      case Sca s -> new Scalar(timeMs, s.v());
      case Str s -> new StringValue(timeMs, s.s());
      case Vec vec -> {
        List<VectorSample> out = new ArrayList<>(vec.samples().size());
        for (Sample s : vec.samples()) {
          out.add(new VectorSample(s.labels(), timeMs, s.v()));
        }
        yield new InstantVector(out);
      }
      case Mat m -> {
        List<RangeSeries> out = new ArrayList<>(m.series().size());
        for (Window w : m.series()) {
          List<Point> points = new ArrayList<>(w.size());
          for (int i = 0; i < w.size(); i++) {
            points.add(new Point(w.ts()[i], w.vs()[i]));
          }
          out.add(new RangeSeries(w.labels(), points));
        }
        yield new Matrix(out);
      }
    };
  }

  /** Evaluates {@code query} at start, start+step, ... <= end; always a matrix. */
  public Matrix rangeQuery(String query, long startMs, long endMs, long stepMs) {
    if (stepMs <= 0) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "step: " + stepMs
          + " (zero or negative query resolution step widths are not accepted. Try a positive "
          + "integer)");
    }
    if (endMs < startMs) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "end: " + endMs
          + " (end timestamp must not be before start time " + startMs + ")");
    }
    if ((endMs - startMs) / stepMs > MAX_POINTS_PER_SERIES) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "exceeded maximum resolution of "
          + "11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
    Expr expr = prepare(query);
    if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "invalid expression type \""
          + expr.type().description() + "\" for range query, must be Scalar or instant Vector");
    }
    long deadline = deadline();
    SampleBudget budget = new SampleBudget(maxSamples);
    Evaluator ev = new Evaluator(
        SeriesLoader.load(queryable, expr, startMs, endMs, lookbackMs, budget), lookbackMs,
        startMs, endMs);
    Map<Labels, List<Point>> series = new LinkedHashMap<>();
    for (long t = startMs; t <= endMs; t += stepMs) {
      checkDeadline(deadline);
      Val v = ev.eval(expr, t);
      if (v instanceof Sca s) {
        series.computeIfAbsent(Labels.empty(), k -> new ArrayList<>()).add(new Point(t, s.v()));
        budget.add(1);
      } else {
        List<Sample> samples = ((Vec) v).samples();
        for (Sample s : samples) {
          series.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(new Point(t, s.v()));
        }
        budget.add(samples.size());
      }
    }
    List<RangeSeries> out = new ArrayList<>(series.size());
    series.forEach((labels, points) -> out.add(new RangeSeries(labels, points)));
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return new Matrix(out);
  }

  private Expr prepare(String query) {
    requireNonNull(query, "query");
    Expr expr = Parser.parse(query);
    String unsupported = Support.unsupported(expr);
    if (unsupported != null) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          unsupported + " is not supported yet by this engine");
    }
    return expr;
  }

  private long deadline() {
    long ms = timeout.toMillis();
    long now = clock.millis();
    return ms >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ms;
  }

  private void checkDeadline(long deadline) {
    if (clock.millis() > deadline) {
      throw new QueryException(QueryException.Kind.TIMEOUT,
          "query timed out in expression evaluation");
    }
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
      requireNonNull(d, "lookbackDelta");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("lookbackDelta: " + d + " (expected: > 0)");
      }
      this.lookbackDelta = d;
      return this;
    }

    public Builder timeout(Duration d) {
      requireNonNull(d, "timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeout: " + d + " (expected: > 0)");
      }
      this.timeout = d;
      return this;
    }

    public Builder maxSamples(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxSamples: " + n + " (expected: > 0)");
      }
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
