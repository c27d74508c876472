package syslens.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import syslens.query.Val.Mat;
import syslens.query.Val.Sample;
import syslens.query.Val.Sca;
import syslens.query.Val.Str;
import syslens.query.Val.Vec;
import syslens.query.Val.Window;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.At;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.SubqueryExpr;
import syslens.query.parser.Expr.VectorSelector;
import syslens.query.parser.TokenType;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * Evaluates an expression at one step over series loaded once per query. Selection follows
 * Prometheus 2.42: an instant selector takes the newest sample in [t - lookback, t] unless it is
 * a stale marker; a range selector takes the non-stale samples in [t - range, t]. A subquery is
 * evaluated once per query over every step it needs (aligned to multiples of its step, as
 * Prometheus does) and then sliced per step like a range selector.
 */
final class Evaluator {
  /** What every evaluator of one query shares. */
  static final class Ctx {
    final SeriesLoader.Loaded data;
    final long lookbackMs;
    final long queryStart;
    final long queryEnd;
    final long subqueryStepMs;
    final QueryBudget budget;
    final boolean forceRaw;
    final LabelCache labels = new LabelCache();

    Ctx(SeriesLoader.Loaded data, long lookbackMs, long queryStart,
        long queryEnd, long subqueryStepMs, QueryBudget budget, boolean forceRaw) {
      this.data = data;
      this.lookbackMs = lookbackMs;
      this.queryStart = queryStart;
      this.queryEnd = queryEnd;
      this.subqueryStepMs = subqueryStepMs;
      this.budget = budget;
      this.forceRaw = forceRaw;
    }
  }

  /** The bounds of a range argument at one step. */
  record RangeArg(Mat mat, long rangeStart, long rangeEnd) {}

  /** Most steps one subquery is evaluated at over a whole query (e.g. 30 days at 1 s). */
  static final long MAX_SUBQUERY_STEPS = 3_000_000;

  private final Ctx ctx;
  private final long evalStart;
  private final long evalEnd;
  private final Map<SubqueryExpr, List<LoadedSeries>> subqueries = new IdentityHashMap<>(4);
  private final Map<Expr, Cursors> cursors = new IdentityHashMap<>(4);
  private final Set<Expr> roots;
  private final Map<Expr, Columns> columns = new IdentityHashMap<>(4);
  private final Columns.Grid grid;

  /** An evaluator for steps in [evalStart, evalEnd], every node per step over loaded series. */
  Evaluator(Ctx ctx, long evalStart, long evalEnd) {
    this(ctx, evalStart, evalEnd, 0, Set.of());
  }

  /**
   * An evaluator for the steps evalStart, evalStart + step, ... <= evalEnd that evaluates
   * {@code roots} (see {@link StreamPlan#streamRoots}) over all steps at once, from storage iterators.
   */
  Evaluator(Ctx ctx, long evalStart, long evalEnd, long step, Set<Expr> roots) {
    this.ctx = ctx;
    this.evalStart = evalStart;
    this.evalEnd = evalEnd;
    this.roots = roots;
    this.grid = Columns.Grid.of(evalStart, evalEnd, step);
  }

  /** Whether {@code e} is evaluated over all steps at once. */
  boolean streamed(Expr e) {
    return !roots.isEmpty() && roots.contains(e);
  }

  /** Binary operations over streamed operands, computed at every step at once (or null). */
  private final Map<Expr, Optional<Columns>> binaries = new IdentityHashMap<>(4);

  /**
   * {@code b} at every step when both operands are streamed (or numbers) and the operation needs
   * no per-step decision (see {@link BinaryOps#columns}); null otherwise. Computed once.
   */
  private Columns binaryColumns(Expr.BinaryExpr b) {
    if (roots.isEmpty()) {
      return null;
    }
    Optional<Columns> c = binaries.get(b);
    if (c == null) {
      Columns l = columnsOf(b.lhs());
      Columns r = columnsOf(b.rhs());
      Double ln = number(b.lhs());
      Double rn = number(b.rhs());
      Columns v = (l != null || ln != null) && (r != null || rn != null) && (l != null || r != null)
          ? BinaryOps.columns(this, b, l, ln, r, rn) : null;
      c = Optional.ofNullable(v);
      binaries.put(b, c);
    }
    return c.orElse(null);
  }

  /**
   * {@code e}'s values at every step when it is streamed or a binary operation of those (null
   * otherwise); their samples are counted in the budget as they are built.
   */
  Columns columnsOf(Expr e) {
    if (streamed(e)) {
      return columns(e);
    }
    if (e instanceof Expr.ParenExpr p) {
      return columnsOf(p.expr());
    }
    return e instanceof Expr.BinaryExpr b ? binaryColumns(b) : null;
  }

  private static Double number(Expr e) {
    while (e instanceof Expr.ParenExpr p) {
      e = p.expr();
    }
    return e instanceof Expr.NumberLiteral n ? n.value() : null;
  }

  /** The values of streamed root {@code e} at every step, computed on first use. */
  Columns columns(Expr e) {
    Columns c = columns.get(e);
    if (c == null) {
      c = new ColumnEvaluator(ctx, ctx.data, grid, ctx.forceRaw).evaluate(e);
      columns.put(e, c);
    }
    return c;
  }

  QueryBudget budget() {
    return ctx.budget;
  }

  LabelCache labels() {
    return ctx.labels;
  }

  /** The time an {@code @} modifier pins, or {@code t} without one. */
  static long atTime(At at, long t, long queryStart, long queryEnd) {
    if (at == null) {
      return t;
    }
    return switch (at.kind()) {
      case TIME -> at.timeMs();
      case START -> queryStart;
      case END -> queryEnd;
    };
  }

  /** The time a selector reads at for step {@code t}: {@code @} time (or t) minus offset. */
  static long refTime(VectorSelector vs, long t, long queryStart, long queryEnd) {
    return minus(atTime(vs.at(), t, queryStart, queryEnd), vs.offsetMs());
  }

  static long minus(long a, long b) {
    try {
      return Math.subtractExact(a, b);
    } catch (ArithmeticException e) {
      throw new QueryException(QueryException.Kind.BAD_DATA,
          "time out of range: " + a + " ms - " + b + " ms (expected: within the int64 range)");
    }
  }

  /**
   * The steps a subquery is evaluated at when its parent runs from {@code start} to {@code end}:
   * {first, last, step}, first aligned up to a multiple of the step as in Prometheus.
   */
  static long[] subqueryRange(SubqueryExpr s, long start, long end, long queryStart,
      long queryEnd, long defaultStepMs) {
    long step = s.stepMs() > 0 ? s.stepMs() : defaultStepMs;
    long refStart = minus(atTime(s.at(), start, queryStart, queryEnd), s.offsetMs());
    long refEnd = minus(atTime(s.at(), end, queryStart, queryEnd), s.offsetMs());
    long from = minus(refStart, s.rangeMs());
    long first = Math.ceilDiv(from, step);
    try {
      first = Math.multiplyExact(first, step);
    } catch (ArithmeticException e) {
      throw new QueryException(QueryException.Kind.BAD_DATA,
          "subquery range out of bounds: " + from + " ms");
    }
    return new long[] {first, refEnd, step};
  }

  Val eval(Expr e, long t) {
    if (streamed(e)) {
      return columns(e).vectorAt(t);
    }
    return switch (e) {
      case Expr.NumberLiteral n -> new Sca(n.value());
      case Expr.StringLiteral s -> new Str(s.value());
      case Expr.ParenExpr p -> eval(p.expr(), t);
      case Expr.VectorSelector vs -> selectVector(vs, t);
      case Expr.MatrixSelector ms -> selectMatrix(ms, t);
      case Expr.UnaryExpr u -> unary(u, t);
      case Expr.BinaryExpr b -> {
        Columns c = binaryColumns(b);
        yield c != null ? c.vectorAt(t) : checkUnique(BinaryOps.eval(this, b, t));
      }
      case Expr.AggregateExpr a -> Aggregations.eval(this, a, t);
      case Expr.Call c -> uniqueByConstruction(c) ? Functions.call(this, c, t)
          : checkUnique(Functions.call(this, c, t));
      case SubqueryExpr s -> rangeArg(s, t).mat();
    };
  }

  Vec evalVector(Expr e, long t) {
    return (Vec) eval(e, t);
  }

  double evalScalar(Expr e, long t) {
    return ((Sca) eval(e, t)).v();
  }

  Vec selectVector(VectorSelector vs, long t) {
    long ref = refTime(vs, t, ctx.queryStart, ctx.queryEnd);
    List<LoadedSeries> series = ctx.data.get(vs);
    Cursors c = cursors.get(vs);
    if (c == null || c.ref > ref || c.hi.length != series.size()) {
      c = new Cursors(series);
      cursors.put(vs, c);
    }
    c.ref = ref;
    List<Sample> out = new ArrayList<>(series.size());
    long lookback = ctx.lookbackMs;
    for (int k = 0; k < series.size(); k++) {
      LoadedSeries s = series.get(k);
      // Steps move forward: advance to the newest sample <= ref instead of searching again.
      long[] ts = s.ts();
      int i = c.hi[k];
      while (i + 1 < ts.length && ts[i + 1] <= ref) {
        i++;
      }
      c.hi[k] = i;
      if (i < 0 || ts[i] < ref - lookback || StaleNaN.is(s.vs()[i])) {
        continue;
      }
      out.add(new Sample(s.labels(), s.vs()[i], ts[i]));
    }
    ctx.budget.tick();
    return new Vec(out);
  }

  Mat selectMatrix(MatrixSelector ms, long t) {
    return rangeArg(ms, t).mat();
  }

  /**
   * A range-vector argument at step {@code t}: a range selector or a subquery (parentheses
   * unwrapped), with the bounds of its window.
   */
  RangeArg rangeArg(Expr e, long t) {
    while (e instanceof Expr.ParenExpr p) {
      e = p.expr();
    }
    List<LoadedSeries> series;
    long ref;
    long range;
    if (e instanceof MatrixSelector ms) {
      series = ctx.data.get(ms.selector());
      ref = refTime(ms.selector(), t, ctx.queryStart, ctx.queryEnd);
      range = ms.rangeMs();
    } else if (e instanceof SubqueryExpr s) {
      series = subquery(s);
      ref = minus(atTime(s.at(), t, ctx.queryStart, ctx.queryEnd), s.offsetMs());
      range = s.rangeMs();
    } else {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "expected a range vector, got " + e.type().description());
    }
    long from = minus(ref, range);
    Cursors c = cursors.get(e);
    if (c == null || c.ref > ref || c.lo.length != series.size()) {
      c = new Cursors(series);
      cursors.put(e, c);
    }
    c.ref = ref;
    List<Window> out = new ArrayList<>(series.size());
    for (int k = 0; k < series.size(); k++) {
      LoadedSeries s = series.get(k);
      // Steps move forward: slide the window's ends instead of searching again.
      long[] ts = s.ts();
      int lo = c.lo[k];
      while (lo < ts.length && ts[lo] < from) {
        lo++;
      }
      int hi = Math.max(c.hi[k], lo - 1);
      while (hi + 1 < ts.length && ts[hi + 1] <= ref) {
        hi++;
      }
      c.lo[k] = lo;
      c.hi[k] = hi;
      Window w = window(s, lo, hi);
      if (w != null) {
        out.add(w);
      }
      ctx.budget.tick();
    }
    return new RangeArg(new Mat(out), from, ref);
  }

  /** Per range argument: each series' window ends at the last step, for sliding. */
  private static final class Cursors {
    final int[] lo;
    final int[] hi;
    long ref = Long.MIN_VALUE;

    Cursors(List<LoadedSeries> series) {
      lo = new int[series.size()];
      hi = new int[series.size()];
      Arrays.fill(hi, -1);
    }
  }

  /** The non-stale samples of {@code s} at indexes [lo, hi], or null when there are none. */
  private static Window window(LoadedSeries s, int lo, int hi) {
    if (hi < lo) {
      return null;
    }
    if (!s.hasStale()) {
      return new Window(s.labels(), s.ts(), s.vs(), lo, hi + 1, s);
    }
    int n = 0;
    long[] ts = new long[hi - lo + 1];
    double[] vs = new double[hi - lo + 1];
    for (int i = lo; i <= hi; i++) {
      if (!StaleNaN.is(s.vs()[i])) {
        ts[n] = s.ts()[i];
        vs[n] = s.vs()[i];
        n++;
      }
    }
    if (n == 0) {
      return null;
    }
    return new Window(s.labels(), n == ts.length ? ts : Arrays.copyOf(ts, n),
        n == vs.length ? vs : Arrays.copyOf(vs, n), 0, n, s);
  }

  /** A subquery's series over every step this evaluator can ask for, computed once. */
  private List<LoadedSeries> subquery(SubqueryExpr s) {
    List<LoadedSeries> cached = subqueries.get(s);
    if (cached != null) {
      return cached;
    }
    long[] r = subqueryRange(s, evalStart, evalEnd, ctx.queryStart, ctx.queryEnd,
        ctx.subqueryStepMs);
    if (r[1] >= r[0] && Long.compareUnsigned(Long.divideUnsigned(r[1] - r[0], r[2]),
        MAX_SUBQUERY_STEPS) > 0) {
      throw new QueryException(QueryException.Kind.EXECUTION, "subquery " + s.rangeMs()
          + "ms:" + r[2] + "ms would be evaluated at more than " + MAX_SUBQUERY_STEPS
          + " steps (expected: a larger step or a shorter range)");
    }
    long step = r[2];
    if (roots.contains(s.expr())) {
      List<LoadedSeries> out = streamedSubquery(s, r[0], r[1], step);
      subqueries.put(s, out);
      return out;
    }
    Evaluator child = new Evaluator(ctx, r[0], r[1]);
    Map<Labels, PointBuffer> acc = new LinkedHashMap<>();
    for (long t = r[0]; t <= r[1]; ) {
      ctx.budget.checkDeadline();
      Val v = child.eval(s.expr(), t);
      if (v instanceof Vec vec) {
        for (Sample x : vec.samples()) {
          acc.computeIfAbsent(x.labels(), k -> new PointBuffer(8)).add(t, x.v());
        }
        ctx.budget.addSamples(vec.samples().size());
      } else if (v instanceof Sca sc) {
        acc.computeIfAbsent(Labels.empty(), k -> new PointBuffer(8)).add(t, sc.v());
        ctx.budget.addSamples(1);
      }
      if (r[1] - t < step) {
        break;
      }
      t += step;
    }
    List<LoadedSeries> out = new ArrayList<>(acc.size());
    acc.forEach((labels, g) -> out.add(LoadedSeries.of(labels, g.ts, g.vs, g.n)));
    subqueries.put(s, out);
    return out;
  }

  /** A subquery whose expression is streamable: its rows over the subquery's steps, as series. */
  private List<LoadedSeries> streamedSubquery(SubqueryExpr s, long first, long last, long step) {
    if (last < first) {
      return List.of();
    }
    Columns.Grid g = new Columns.Grid(first, step, Math.toIntExact((last - first) / step + 1));
    Columns c = new ColumnEvaluator(ctx, ctx.data, g, ctx.forceRaw).evaluate(s.expr());
    List<LoadedSeries> out = new ArrayList<>(c.rows.size());
    for (Columns.Row row : c.rows) {
      int n = row.count();
      long[] ts = new long[n];
      double[] vs = new double[n];
      for (int k = 0, i = 0; k < g.steps(); k++) {
        if (row.has(k)) {
          ts[i] = g.t(k);
          vs[i++] = row.v[k];
        }
      }
      out.add(LoadedSeries.of(row.labels, ts, vs, n));
    }
    return out;
  }

  private Val unary(Expr.UnaryExpr u, long t) {
    Val v = eval(u.expr(), t);
    if (u.op() != TokenType.SUB) {
      return v;
    }
    if (v instanceof Sca s) {
      return new Sca(-s.v());
    }
    List<Sample> in = ((Vec) v).samples();
    List<Sample> out = new ArrayList<>(in.size());
    for (Sample s : in) {
      out.add(new Sample(ctx.labels.withoutName(s.labels()), -s.v(), t));
    }
    return checkUnique(new Vec(out));
  }

  /**
   * Whether a call's result cannot hold two samples with the same labels: a range function over
   * a selector whose series all have one metric name (series are distinct label sets, so they
   * stay distinct with the name dropped). Saves the duplicate check at every step.
   */
  private static boolean uniqueByConstruction(Expr.Call c) {
    if (!RangeFunctions.supports(c.function().name())) {
      return false;
    }
    for (Expr a : c.args()) {
      while (a instanceof Expr.ParenExpr p) {
        a = p.expr();
      }
      if (a instanceof MatrixSelector ms) {
        for (Matcher m : ms.selector().matchers()) {
          if (m.name().equals(Labels.METRIC_NAME) && m.type() == Matcher.Type.EQUAL) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Prometheus rejects a step whose vector has two samples with the same labels. */
  Val checkUnique(Val v) {
    if (v instanceof Vec vec && vec.samples().size() > 1) {
      Labels dup = ctx.labels.firstDuplicate(vec.samples());
      if (dup != null) {
        throw new QueryException(QueryException.Kind.EXECUTION,
            "vector cannot contain metrics with the same labelset");
      }
    }
    return v;
  }
}
