package syslens.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.VectorSelector;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SampleIterator;
import syslens.storage.Series;

/**
 * Loads every selector of a query once: finds each selector's time window over the whole query
 * (offset, {@code @}, lookback, range, enclosing subqueries), opens one querier over the union and
 * selects each distinct matcher set once (selectors that differ only in offset, {@code @} or
 * range share one select over the union of their windows). The sample budget and the deadline
 * are checked while reading, so an oversized selection fails before it is all in memory.
 */
final class SeriesLoader {
  private SeriesLoader() {}

  /** [mint, maxt] needed by one selector. */
  private record Window(long mint, long maxt) {
    Window union(Window o) {
      return new Window(Math.min(mint, o.mint), Math.max(maxt, o.maxt));
    }
  }

  /** The query's fixed times: {@code @ start()}/{@code end()} and the default subquery step. */
  private record Times(long queryStart, long queryEnd, long lookback, long subqueryStep) {}

  static Map<List<Matcher>, List<LoadedSeries>> load(Queryable queryable, Expr root, long start,
      long end, long lookbackMs, long subqueryStepMs, QueryBudget budget) {
    Map<List<Matcher>, Window> windows = new HashMap<>();
    collect(root, start, end, new Times(start, end, lookbackMs, subqueryStepMs), windows);
    Map<List<Matcher>, List<LoadedSeries>> out = new HashMap<>();
    if (windows.isEmpty()) {
      return out;
    }
    Window all = null;
    for (Window w : windows.values()) {
      all = all == null ? w : all.union(w);
    }
    try (Querier q = queryable.querier(all.mint, all.maxt)) {
      for (Map.Entry<List<Matcher>, Window> e : windows.entrySet()) {
        budget.checkDeadline();
        Window w = e.getValue();
        List<LoadedSeries> list = new ArrayList<>();
        for (Series s : q.select(e.getKey())) {
          LoadedSeries ls = read(s, w.mint, w.maxt, budget);
          if (ls != null) {
            list.add(ls);
          }
        }
        out.put(e.getKey(), list);
      }
    } catch (java.util.concurrent.CancellationException e) {
      throw new QueryException(QueryException.Kind.TIMEOUT,
          "query timed out in series selection", e);
    }
    return out;
  }

  private static LoadedSeries read(Series s, long mint, long maxt, QueryBudget budget) {
    SampleIterator it = s.iterator();
    if (!it.seek(mint)) {
      return null;
    }
    long[] ts = new long[16];
    double[] vs = new double[16];
    int n = 0;
    int counted = 0;
    do {
      long t = it.timestamp();
      if (t > maxt) {
        break;
      }
      if (n == ts.length) {
        budget.addSamples(n - counted);
        counted = n;
        budget.checkDeadline();
        ts = java.util.Arrays.copyOf(ts, n * 2);
        vs = java.util.Arrays.copyOf(vs, n * 2);
      }
      ts[n] = t;
      vs[n] = it.value();
      n++;
    } while (it.next());
    if (n == 0) {
      return null;
    }
    budget.addSamples(n - counted);
    budget.tick();
    return LoadedSeries.of(s.labels(), ts, vs, n);
  }

  private static void collect(Expr e, long start, long end, Times times,
      Map<List<Matcher>, Window> out) {
    switch (e) {
      case Expr.VectorSelector vs -> put(out, vs, window(vs, start, end, times, times.lookback));
      case Expr.MatrixSelector ms -> put(out, ms.selector(),
          window(ms.selector(), start, end, times, ms.rangeMs()));
      case Expr.Call c -> c.args().forEach(a -> collect(a, start, end, times, out));
      case Expr.AggregateExpr a -> {
        collect(a.expr(), start, end, times, out);
        if (a.param() != null) {
          collect(a.param(), start, end, times, out);
        }
      }
      case Expr.BinaryExpr b -> {
        collect(b.lhs(), start, end, times, out);
        collect(b.rhs(), start, end, times, out);
      }
      case Expr.UnaryExpr u -> collect(u.expr(), start, end, times, out);
      case Expr.ParenExpr p -> collect(p.expr(), start, end, times, out);
      case Expr.SubqueryExpr s -> {
        long[] r = Evaluator.subqueryRange(s, start, end, times.queryStart, times.queryEnd,
            times.subqueryStep);
        collect(s.expr(), r[0], r[1], times, out);
      }
      case Expr.NumberLiteral n -> { }
      case Expr.StringLiteral s -> { }
    }
  }

  private static void put(Map<List<Matcher>, Window> out, VectorSelector vs, Window w) {
    out.merge(vs.matchers(), w, Window::union);
  }

  private static Window window(VectorSelector vs, long start, long end, Times times,
      long before) {
    long from = Evaluator.refTime(vs, start, times.queryStart, times.queryEnd);
    long to = Evaluator.refTime(vs, end, times.queryStart, times.queryEnd);
    return new Window(Evaluator.minus(Math.min(from, to), before), Math.max(from, to));
  }
}
