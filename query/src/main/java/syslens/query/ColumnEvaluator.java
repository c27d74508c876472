package syslens.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.query.Columns.Grid;
import syslens.query.Columns.Row;
import syslens.query.Val.Window;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.AggregateExpr;
import syslens.query.parser.Expr.Call;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.VectorSelector;
import syslens.query.parser.TokenType;
import syslens.storage.AggregateSeries;
import syslens.storage.Labels;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;

/**
 * Evaluates the streamable part of a query at every step of a grid, one series at a time, straight
 * from storage iterators: an instant selector (lookback), a range function over a range selector
 * (a window sliding over the iterator: only that window is held), and the aggregations {@code sum,
 * avg, count, min, max, group, stddev, stdvar} of those (a series' values are folded into its
 * group and dropped). Nothing is copied out of storage up front; the sample budget counts the
 * window buffer and the rows built, and the deadline is checked while samples are read. Values and
 * their per-step order are those of the per-step {@link Evaluator}, which reads these results
 * through {@link Columns#vectorAt}.
 */
final class ColumnEvaluator {
  /** Receives rows one at a time; the arrays may be reused after the call returns. */
  private interface RowSink {
    void accept(Labels labels, double[] v, long[] present, int[] first);
  }

  private final Evaluator.Ctx ctx;
  private final SeriesLoader.Loaded data;
  private final Grid grid;
  private final boolean forceRaw;
  /** The window buffer, reused by every series. */
  private long[] bufTs = new long[64];
  private double[] bufVs = new double[64];
  /** The most samples one window held, counted in the budget. */
  private int windowCounted;

  ColumnEvaluator(Evaluator.Ctx ctx, SeriesLoader.Loaded data, Grid grid, boolean forceRaw) {
    this.ctx = ctx;
    this.data = data;
    this.grid = grid;
    this.forceRaw = forceRaw;
  }

  /** Whether {@code e} (a whole subtree) can be evaluated here. */
  static boolean streamable(Expr e) {
    return switch (e) {
      case Expr.ParenExpr p -> streamable(p.expr());
      case VectorSelector vs -> true;
      case Call c -> rangeSelector(c) != null;
      case AggregateExpr a -> a.param() == null && switch (a.op()) {
        case SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR -> true;
        default -> false;
      } && streamable(a.expr());
      default -> false;
    };
  }

  /**
   * The range selector of a range-function call whose other arguments are number literals, or
   * null for any other call.
   */
  private static MatrixSelector rangeSelector(Call c) {
    String name = c.function().name();
    if (!RangeFunctions.supports(name)) {
      return null;
    }
    int matIdx = name.equals("quantile_over_time") ? 1 : 0;
    MatrixSelector out = null;
    for (int k = 0; k < c.args().size(); k++) {
      Expr a = unwrap(c.args().get(k));
      if (k == matIdx) {
        out = a instanceof MatrixSelector ms ? ms : null;
      } else if (!(a instanceof Expr.NumberLiteral)) {
        return null;
      }
    }
    return out;
  }

  private static Expr unwrap(Expr e) {
    while (e instanceof Expr.ParenExpr p) {
      e = p.expr();
    }
    return e;
  }

  /** Adds every selector of streamable subtree {@code e} to {@code out}. */
  static void selectors(Expr e, Set<VectorSelector> out) {
    switch (e) {
      case Expr.ParenExpr p -> selectors(p.expr(), out);
      case VectorSelector vs -> out.add(vs);
      case MatrixSelector ms -> out.add(ms.selector());
      case Call c -> c.args().forEach(a -> selectors(a, out));
      case AggregateExpr a -> selectors(a.expr(), out);
      default -> { }
    }
  }

  /** The rows of streamable {@code e} at every step of the grid. */
  Columns evaluate(Expr e) {
    List<Row> rows = new ArrayList<>();
    boolean unique = !(unwrap(e) instanceof Call c) || uniqueByConstruction(c);
    Map<Labels, Row> byLabels = unique ? null : new HashMap<>();
    stream(e, (labels, v, present, first) -> {
      Row r = new Row(labels, v.clone(), present.clone());
      r.first = first == null ? null : first.clone();
      ctx.budget.addSamples(r.count());
      if (byLabels != null) {
        Row same = byLabels.putIfAbsent(labels, r);
        if (same != null) {
          if (same.overlaps(r)) {
            throw new QueryException(QueryException.Kind.EXECUTION,
                "vector cannot contain metrics with the same labelset");
          }
          same.merge(r);
          return;
        }
      }
      rows.add(r);
    });
    return new Columns(grid, rows);
  }

  /** As {@link Evaluator}: a range function over one metric name never yields duplicates. */
  private static boolean uniqueByConstruction(Call c) {
    MatrixSelector ms = rangeSelector(c);
    if (ms == null) {
      return false;
    }
    for (var m : ms.selector().matchers()) {
      if (m.name().equals(Labels.METRIC_NAME) && m.type() == syslens.storage.Matcher.Type.EQUAL) {
        return true;
      }
    }
    return false;
  }

  private void stream(Expr e, RowSink sink) {
    switch (e) {
      case Expr.ParenExpr p -> stream(p.expr(), sink);
      case VectorSelector vs -> instant(vs, sink);
      case Call c -> range(c, sink);
      case AggregateExpr a -> aggregate(a, sink);
      default -> throw new IllegalStateException("not streamable: " + e);
    }
  }

  /** Each step's reference time for selector {@code vs}: non-decreasing. */
  private long[] refs(VectorSelector vs) {
    long[] refs = new long[grid.steps()];
    for (int k = 0; k < refs.length; k++) {
      refs[k] = Evaluator.refTime(vs, grid.t(k), ctx.queryStart, ctx.queryEnd);
    }
    return refs;
  }

  private Iterable<Series> select(VectorSelector vs, long[] refs, long before, String func,
      long range) {
    long first = Evaluator.minus(refs[0], before);
    SelectHints hints = new SelectHints(first, refs[refs.length - 1], grid.step(), func, range,
        forceRaw);
    try {
      return data.select(hints, vs.matchers());
    } catch (java.util.concurrent.CancellationException x) {
      throw new QueryException(QueryException.Kind.TIMEOUT,
          "query timed out in series selection", x);
    }
  }

  /** An instant selector: at each step the newest sample in [ref - lookback, ref], if not stale. */
  private void instant(VectorSelector vs, RowSink sink) {
    long[] refs = refs(vs);
    long lookback = ctx.lookbackMs;
    int steps = grid.steps();
    double[] v = new double[steps];
    long[] present = new long[(steps + 63) >>> 6];
    QueryBudget budget = ctx.budget;
    for (Series s : select(vs, refs, lookback, "", 0)) {
      budget.checkDeadline();
      java.util.Arrays.fill(present, 0);
      boolean any = false;
      SampleIterator it = s.iterator();
      boolean more = it.seek(Evaluator.minus(refs[0], lookback));
      long ct = 0;
      double cv = 0;
      boolean has = false;
      for (int k = 0; k < steps && (more || has); k++) {
        long ref = refs[k];
        long from = ref - lookback;
        if (more && it.timestamp() < from) {
          has = false;
          more = it.seek(from);
        }
        while (more && it.timestamp() <= ref) {
          ct = it.timestamp();
          cv = it.value();
          has = true;
          more = it.next();
          budget.tick();
        }
        if (has && ct >= from && !StaleNaN.is(cv)) {
          v[k] = cv;
          present[k >>> 6] |= 1L << k;
          any = true;
        }
      }
      if (any) {
        sink.accept(s.labels(), v, present, null);
      }
    }
  }

  /** A range function over a range selector, the window sliding over each series' iterator. */
  private void range(Call c, RowSink sink) {
    String name = c.function().name();
    MatrixSelector ms = rangeSelector(c);
    VectorSelector vs = ms.selector();
    int matIdx = name.equals("quantile_over_time") ? 1 : 0;
    double[] scalars = new double[c.args().size() - 1];
    for (int k = 0, j = 0; k < c.args().size(); k++) {
      if (k != matIdx) {
        scalars[j++] = ((Expr.NumberLiteral) unwrap(c.args().get(k))).value();
      }
    }
    long range = ms.rangeMs();
    long[] refs = refs(vs);
    boolean keepName = name.equals("last_over_time");
    int steps = grid.steps();
    double[] v = new double[steps];
    long[] present = new long[(steps + 63) >>> 6];
    QueryBudget budget = ctx.budget;
    // Series of several metric names can meet once the name is dropped: not at the same step.
    Map<Labels, long[]> seen = keepName || uniqueByConstruction(c) ? null : new HashMap<>();
    for (Series s : select(vs, refs, range, name, range)) {
      budget.checkDeadline();
      java.util.Arrays.fill(present, 0);
      // Each series is visited once: no memo or interning (consumers memo by row identity).
      Labels labels = keepName ? s.labels() : s.labels().withoutMetricName();
      boolean any = s instanceof AggregateSeries a && RangeFunctions.fromAggregates(name)
          ? rollupRow(a, name, refs, range, labels, v, present)
          : rawRow(s, name, refs, range, scalars, labels, v, present);
      if (any) {
        if (seen != null) {
          checkUnique(seen, labels, present);
        }
        sink.accept(labels, v, present, null);
      }
    }
  }

  private static void checkUnique(Map<Labels, long[]> seen, Labels labels, long[] present) {
    long[] before = seen.get(labels);
    if (before == null) {
      seen.put(labels, present.clone());
      return;
    }
    for (int i = 0; i < before.length; i++) {
      if ((before[i] & present[i]) != 0) {
        throw new QueryException(QueryException.Kind.EXECUTION,
            "vector cannot contain metrics with the same labelset");
      }
      before[i] |= present[i];
    }
  }

  private boolean rawRow(Series s, String name, long[] refs, long range, double[] scalars,
      Labels labels, double[] v, long[] present) {
    QueryBudget budget = ctx.budget;
    SampleIterator it = s.iterator();
    boolean more = it.seek(Evaluator.minus(refs[0], range));
    int lo = 0;
    int hi = 0;
    boolean any = false;
    // rate/increase/delta straight from the buffer; for counters, where the newest counter reset
    // in the buffer is (an index j with bufVs[j] < bufVs[j - 1]): a window [lo, hi) with j <= lo
    // holds none, so its rate needs no scan (the same result, computed in the same order).
    int extrapolated = switch (name) {
      case "rate" -> 1;
      case "increase" -> 2;
      case "delta" -> 3;
      default -> 0;
    };
    int lastReset = -1;
    for (int k = 0; k < refs.length && (more || lo < hi); k++) {
      long ref = refs[k];
      long from = ref - range;
      while (lo < hi && bufTs[lo] < from) {
        lo++;
      }
      if (lo == hi && more && it.timestamp() < from) {
        more = it.seek(from);
      }
      while (more && it.timestamp() <= ref) {
        long t = it.timestamp();
        double x = it.value();
        more = it.next();
        budget.tick();
        if (t < from || StaleNaN.is(x)) {
          continue;
        }
        if (hi == bufTs.length) {
          if (lo > 0) {
            System.arraycopy(bufTs, lo, bufTs, 0, hi - lo);
            System.arraycopy(bufVs, lo, bufVs, 0, hi - lo);
            hi -= lo;
            lastReset -= lo;
            lo = 0;
          }
          if (hi == bufTs.length) {
            grow();
          }
        }
        if (hi > lo && x < bufVs[hi - 1]) {
          lastReset = hi;
        }
        bufTs[hi] = t;
        bufVs[hi] = x;
        hi++;
      }
      if (hi - lo > windowCounted) {
        // The samples held are the largest window so far (one series at a time), as Prometheus
        // counts a range function's input.
        budget.addSamples(hi - lo - windowCounted);
        windowCounted = hi - lo;
      }
      if (extrapolated != 0) {
        if (hi - lo >= 2) {
          v[k] = RangeFunctions.extrapolatedRate(bufTs, bufVs, lo, hi - lo, lastReset <= lo, from,
              ref, extrapolated != 3, extrapolated == 1);
          present[k >>> 6] |= 1L << k;
          any = true;
        }
      } else if (lo < hi) {
        Double r = RangeFunctions.apply(name, new Window(labels, bufTs, bufVs, lo, hi),
            from, ref, grid.t(k), scalars);
        if (r != null) {
          v[k] = r;
          present[k >>> 6] |= 1L << k;
          any = true;
        }
      }
    }
    return any;
  }

  private void grow() {
    int n = bufTs.length * 2;
    bufTs = java.util.Arrays.copyOf(bufTs, n);
    bufVs = java.util.Arrays.copyOf(bufVs, n);
  }

  /** A series answered from a rollup tier: windows over its points, as {@link Evaluator}. */
  private boolean rollupRow(AggregateSeries a, String name, long[] refs, long range,
      Labels labels, double[] v, long[] present) {
    LoadedSeries ls = SeriesLoader.readAggregates(a, Evaluator.minus(refs[0], range),
        refs[refs.length - 1], ctx.budget);
    if (ls == null) {
      return false;
    }
    long[] ts = ls.ts();
    int lo = 0;
    int hi = -1;
    boolean any = false;
    for (int k = 0; k < refs.length; k++) {
      long ref = refs[k];
      long from = ref - range;
      while (lo < ts.length && ts[lo] < from) {
        lo++;
      }
      hi = Math.max(hi, lo - 1);
      while (hi + 1 < ts.length && ts[hi + 1] <= ref) {
        hi++;
      }
      if (hi >= lo) {
        Double r = RangeFunctions.applyAggregates(name,
            new Window(labels, ts, ls.vs(), lo, hi + 1, ls), from, ref);
        if (r != null) {
          v[k] = r;
          present[k >>> 6] |= 1L << k;
          any = true;
        }
      }
    }
    ctx.budget.releaseSamples(ts.length);
    return any;
  }

  /** One group of an aggregation over all steps. */
  private static final class Group {
    final Row row;
    final double[] b;
    final int[] n;

    Group(Labels labels, int steps, boolean second) {
      row = new Row(labels, steps);
      row.first = new int[steps];
      b = second ? new double[steps] : null;
      n = new int[steps];
    }
  }

  private void aggregate(AggregateExpr a, RowSink sink) {
    TokenType op = a.op();
    int steps = grid.steps();
    List<String> dropNames = new ArrayList<>(a.grouping());
    dropNames.add(Labels.METRIC_NAME);
    boolean without = a.without();
    List<String> grouping = a.grouping();
    Map<Labels, Group> groups = new HashMap<>();
    List<Group> order = new ArrayList<>();
    int[] rowIndex = {0};
    stream(a.expr(), (labels, v, present, first) -> {
      int ri = rowIndex[0]++;
      Labels key = without ? labels.drop(dropNames) : labels.keep(grouping);
      Group g = groups.get(key);
      if (g == null) {
        g = new Group(key, steps, op == TokenType.STDDEV || op == TokenType.STDVAR);
        ctx.budget.addSamples(steps);
        groups.put(key, g);
        order.add(g);
      }
      fold(op, g, ri, v, present);
      ctx.budget.tick();
    });
    for (Group g : order) {
      Row r = g.row;
      for (int k = 0; k < steps; k++) {
        if (!r.has(k)) {
          continue;
        }
        switch (op) {
          case COUNT -> r.v[k] = g.n[k];
          case GROUP -> r.v[k] = 1;
          case STDDEV, STDVAR -> {
            double var = g.b[k] / g.n[k];
            r.v[k] = op == TokenType.STDDEV ? Math.sqrt(var) : var;
          }
          default -> { }
        }
      }
      sink.accept(r.labels, r.v, r.present, r.first);
    }
  }

  /** Folds one input row into its group, step by step, as {@link Aggregations} would. */
  private static void fold(TokenType op, Group g, int ri, double[] v, long[] present) {
    Row r = g.row;
    for (int w = 0; w < present.length; w++) {
      long bits = present[w];
      while (bits != 0) {
        int k = (w << 6) + Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        double x = v[k];
        if (!r.has(k)) {
          r.set(k, x);
          r.first[k] = ri;
          g.n[k] = 1;
          continue;
        }
        int count = ++g.n[k];
        switch (op) {
          case SUM -> r.v[k] += x;
          case AVG -> {
            double mean = r.v[k];
            if (Double.isInfinite(mean)) {
              if (Double.isInfinite(x) && (mean > 0) == (x > 0)) {
                continue;
              }
              if (!Double.isInfinite(x) && !Double.isNaN(x)) {
                continue;
              }
            }
            r.v[k] = mean + (x / count - mean / count);
          }
          case MIN -> {
            if (r.v[k] > x || Double.isNaN(r.v[k])) {
              r.v[k] = x;
            }
          }
          case MAX -> {
            if (r.v[k] < x || Double.isNaN(r.v[k])) {
              r.v[k] = x;
            }
          }
          case STDDEV, STDVAR -> {
            double mean = r.v[k];
            double delta = x - mean;
            mean += delta / count;
            r.v[k] = mean;
            g.b[k] += delta * (x - mean);
          }
          default -> { }
        }
      }
    }
  }
}
