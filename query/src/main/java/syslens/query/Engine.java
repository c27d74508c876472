package syslens.query;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import syslens.storage.Matcher;
import syslens.storage.Queryable;

/**
 * Evaluates PromQL over a {@link Queryable} with Prometheus 2.42's semantics. Thread-safe; one
 * engine serves all queries. Each query opens one querier over the time span all its selectors
 * need and selects each distinct selector once.
 */
public final class Engine {
  public static final long DEFAULT_MAX_SAMPLES = 50_000_000;
  public static final long DEFAULT_MAX_LABEL_BYTES = 128L << 20;
  public static final int DEFAULT_MAX_SERIES = 300_000;
  /** Prometheus' limit on points per series of a range query. */
  static final long MAX_POINTS_PER_SERIES = 11_000;

  private final Queryable queryable;
  private final long lookbackMs;
  private final Duration timeout;
  private final long maxSamples;
  private final long maxLabelBytes;
  private final int maxSeries;
  private final long subqueryStepMs;
  private final Clock clock;

  private Engine(Builder b) {
    this.queryable = b.queryable;
    this.lookbackMs = b.lookbackDelta.toMillis();
    this.timeout = b.timeout;
    this.maxSamples = b.maxSamples;
    this.maxLabelBytes = b.maxLabelBytes;
    this.maxSeries = b.maxSeries;
    this.subqueryStepMs = b.subqueryStep.toMillis();
    this.clock = b.clock;
  }

  public static Builder builder(Queryable queryable) {
    return new Builder(queryable);
  }

  /**
   * This engine's settings over another queryable (e.g. the storage limited to a user's scope):
   * a few fields copied, nothing else.
   */
  public Engine over(Queryable other) {
    requireNonNull(other, "other");
    if (other == queryable) {
      return this;
    }
    Builder b = new Builder(other);
    b.lookbackDelta = Duration.ofMillis(lookbackMs);
    b.timeout = timeout;
    b.maxSamples = maxSamples;
    b.maxLabelBytes = maxLabelBytes;
    b.maxSeries = maxSeries;
    b.subqueryStep = Duration.ofMillis(subqueryStepMs);
    b.clock = clock;
    return new Engine(b);
  }

  /** Parses {@code query} without evaluating it; BAD_DATA on a syntax or type error. */
  public static Expr parse(String query) {
    requireNonNull(query, "query");
    return Parser.parse(query);
  }

  /** Evaluates {@code query} at {@code timeMs}. */
  public Value instantQuery(String query, long timeMs) {
    return instantQuery(parse(query), timeMs);
  }

  /** Evaluates a parsed query at {@code timeMs}. */
  public Value instantQuery(Expr expr, long timeMs) {
    return instantQuery(expr, timeMs, false);
  }

  /**
   * Evaluates a parsed query at {@code timeMs}; {@code forceRaw} reads raw samples only (no
   * rollup tier, whatever the range).
   */
  public Value instantQuery(Expr expr, long timeMs, boolean forceRaw) {
    requireNonNull(expr, "expr");
    QueryBudget budget = budget();
    Set<Expr> roots = StreamPlan.streamRoots(expr);
    try (SeriesLoader.Loaded data = load(expr, timeMs, timeMs, 0, forceRaw, budget, roots)) {
      Evaluator ev = new Evaluator(context(data, timeMs, timeMs, forceRaw, budget), timeMs,
          timeMs, 0, roots);
      budget.checkDeadline();
      return instantValue(ev.eval(expr, timeMs), timeMs);
    }
  }

  private Value instantValue(Val v, long timeMs) {
    return switch (v) {
      case Sca s -> new Scalar(timeMs, s.v());
      case Str s -> new StringValue(timeMs, s.s());
      case Vec vec -> {
        checkSeries(vec.samples().size());
        List<VectorSample> out = new ArrayList<>(vec.samples().size());
        for (Sample s : vec.samples()) {
          out.add(new VectorSample(s.labels(), timeMs, s.v()));
        }
        yield new InstantVector(out);
      }
      case Mat m -> {
        checkSeries(m.series().size());
        List<RangeSeries> out = new ArrayList<>(m.series().size());
        for (Window w : m.series()) {
          List<Point> points = new ArrayList<>(w.size());
          for (int i = 0; i < w.size(); i++) {
            points.add(new Point(w.t(i), w.v(i)));
          }
          out.add(new RangeSeries(w.labels(), points));
        }
        yield new Matrix(out);
      }
    };
  }

  /** Evaluates {@code query} at start, start+step, ... <= end; always a matrix. */
  public Matrix rangeQuery(String query, long startMs, long endMs, long stepMs) {
    checkRange(startMs, endMs, stepMs);
    return rangeQuery(parse(query), startMs, endMs, stepMs);
  }

  /**
   * Checks a range query's bounds as Prometheus does: step > 0, end >= start, at most 11,000
   * steps (computed without overflow, whatever the bounds).
   */
  public static void checkRange(long startMs, long endMs, long stepMs) {
    if (stepMs <= 0) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "zero or negative query "
          + "resolution step widths are not accepted. Try a positive integer");
    }
    if (endMs < startMs) {
      throw new QueryException(QueryException.Kind.BAD_DATA,
          "end timestamp must not be before start time");
    }
    // end - start may not fit in a long (e.g. start=-9.2e15 s, end=9.2e15 s): divide unsigned.
    if (Long.compareUnsigned(Long.divideUnsigned(endMs - startMs, stepMs),
        MAX_POINTS_PER_SERIES) > 0) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "exceeded maximum resolution of "
          + "11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
  }

  /** Evaluates a parsed query at start, start+step, ... <= end. */
  public Matrix rangeQuery(Expr expr, long startMs, long endMs, long stepMs) {
    return rangeQuery(expr, startMs, endMs, stepMs, false);
  }

  /**
   * Evaluates a parsed query at start, start+step, ... <= end. Range functions that rollups
   * answer ({@code rate}, {@code increase}, {@code *_over_time} of avg, min, max, sum, count,
   * last) may read a rollup tier when the step and range are coarse enough for it (exact for
   * steps and ranges that are multiples of the tier's interval); {@code forceRaw} reads raw
   * samples only.
   */
  public Matrix rangeQuery(Expr expr, long startMs, long endMs, long stepMs, boolean forceRaw) {
    requireNonNull(expr, "expr");
    checkRange(startMs, endMs, stepMs);
    if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
      throw new QueryException(QueryException.Kind.BAD_DATA, "invalid expression type \""
          + expr.type().description() + "\" for range query, must be Scalar or instant Vector");
    }
    QueryBudget budget = budget();
    Set<Expr> roots = StreamPlan.streamRoots(expr);
    try (SeriesLoader.Loaded data = load(expr, startMs, endMs, stepMs, forceRaw, budget, roots)) {
      Evaluator ev = new Evaluator(context(data, startMs, endMs, forceRaw, budget), startMs, endMs,
          stepMs, roots);
      // A streamed root, or arithmetic over streamed roots and numbers (a dashboard's
      // 100 * (1 - avg(rate(...))), 1 - a / b), is already known at every step: its rows are
      // the result, without a vector per step.
      Columns whole = ev.columnsOf(expr);
      return whole != null ? matrix(whole) : rangeQuery(ev, expr, startMs, endMs, stepMs, budget);
    }
  }

  /**
   * Rows known at every step as the range query's result (their samples were counted when built);
   * rows without a value at any step are left out, as the per-step evaluation leaves them.
   */
  private Matrix matrix(Columns c) {
    List<Columns.Row> rows = new ArrayList<>(c.rows.size());
    for (Columns.Row r : c.rows) {
      if (r.count() > 0) {
        rows.add(r);
      }
    }
    checkSeries(rows.size());
    rows.sort((a, b) -> a.labels.compareTo(b.labels));
    List<RangeSeries> out = new ArrayList<>(rows.size());
    for (Columns.Row r : rows) {
      List<Point> points = new ArrayList<>(r.count());
      for (int k = 0; k < r.v.length; k++) {
        if (r.has(k)) {
          points.add(new Point(c.grid.t(k), r.v[k]));
        }
      }
      out.add(new RangeSeries(r.labels, points));
    }
    return new Matrix(out);
  }

  private Matrix rangeQuery(Evaluator ev, Expr expr, long startMs, long endMs, long stepMs,
      QueryBudget budget) {
    Map<Labels, Series> series = new HashMap<>();
    long steps = (endMs - startMs) / stepMs;
    int stepCount = (int) steps + 1;
    for (long k = 0; k <= steps; k++) {
      long t = startMs + k * stepMs;
      budget.checkDeadline();
      Val v = ev.eval(expr, t);
      if (v instanceof Sca s) {
        series.computeIfAbsent(Labels.empty(), l -> new Series(l, stepCount)).add(t, s.v());
        budget.addSamples(1);
      } else {
        List<Sample> samples = ((Vec) v).samples();
        for (Sample s : samples) {
          Series ser = series.get(s.labels());
          if (ser == null) {
            ser = new Series(s.labels(), Math.min(stepCount, 16));
            series.put(s.labels(), ser);
            checkSeries(series.size());
          }
          ser.add(t, s.v());
        }
        budget.addSamples(samples.size());
      }
    }
    List<Series> sorted = new ArrayList<>(series.values());
    sorted.sort((a, b) -> a.labels.compareTo(b.labels));
    List<RangeSeries> out = new ArrayList<>(sorted.size());
    for (Series s : sorted) {
      PointBuffer b = s.points;
      List<Point> points = new ArrayList<>(b.n);
      for (int i = 0; i < b.n; i++) {
        points.add(new Point(b.ts[i], b.vs[i]));
      }
      out.add(new RangeSeries(s.labels, points));
    }
    return new Matrix(out);
  }

  /** One output series of a range query while it is built. */
  private static final class Series {
    final Labels labels;
    final PointBuffer points;

    Series(Labels labels, int capacity) {
      this.labels = labels;
      this.points = new PointBuffer(capacity);
    }

    void add(long t, double v) {
      points.add(t, v);
    }
  }

  private void checkSeries(int n) {
    if (n > maxSeries) {
      throw new QueryException(QueryException.Kind.EXECUTION, "query returned more than "
          + maxSeries + " series (the engine's max series per query); narrow the selectors or "
          + "aggregate");
    }
  }

  private SeriesLoader.Loaded load(Expr expr, long start, long end, long step, boolean forceRaw,
      QueryBudget budget, Set<Expr> roots) {
    return SeriesLoader.load(queryable, expr, start, end, step, lookbackMs, subqueryStepMs,
        forceRaw, budget, StreamPlan.streamedSelectors(roots));
  }

  private Evaluator.Ctx context(SeriesLoader.Loaded data, long start, long end, boolean forceRaw,
      QueryBudget budget) {
    return new Evaluator.Ctx(data, lookbackMs, start, end, subqueryStepMs, budget, forceRaw);
  }

  private QueryBudget budget() {
    long ms = timeout.toMillis();
    long now = clock.millis();
    long deadline = ms >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ms;
    return new QueryBudget(maxSamples, maxLabelBytes, deadline, clock);
  }

  public static final class Builder {
    private final Queryable queryable;
    Duration lookbackDelta = Duration.ofMinutes(5);
    Duration timeout = Duration.ofMinutes(2);
    long maxSamples = DEFAULT_MAX_SAMPLES;
    long maxLabelBytes = DEFAULT_MAX_LABEL_BYTES;
    int maxSeries = DEFAULT_MAX_SERIES;
    Duration subqueryStep = Duration.ofMinutes(1);
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

    /** Most samples a query may hold (loaded and computed); default 50,000,000. */
    public Builder maxSamples(long n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxSamples: " + n + " (expected: > 0)");
      }
      this.maxSamples = n;
      return this;
    }

    /** Most bytes of label values a query may build (label_replace etc.); default 128 MiB. */
    public Builder maxLabelBytes(long n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxLabelBytes: " + n + " (expected: > 0)");
      }
      this.maxLabelBytes = n;
      return this;
    }

    /** Most series a query may return; default 300,000. */
    public Builder maxSeries(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxSeries: " + n + " (expected: > 0)");
      }
      this.maxSeries = n;
      return this;
    }

    /**
     * The step of a subquery written without one ({@code x[5m:]}): Prometheus' global
     * evaluation interval, default 1 minute.
     */
    public Builder subqueryStep(Duration d) {
      requireNonNull(d, "subqueryStep");
      if (d.toMillis() <= 0) {
        throw new IllegalArgumentException("subqueryStep: " + d + " (expected: >= 1ms)");
      }
      this.subqueryStep = d;
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
