package syslens.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.VectorSelector;
import syslens.storage.AggregateSeries;
import syslens.storage.Aggregates;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Loads every selector of a query once: finds each selector's time window over the whole query
 * (offset, {@code @}, lookback, range, enclosing subqueries), opens one querier over the union and
 * selects each distinct (matchers, hints) once: selectors that differ only in offset, {@code @}
 * or window share one select over the union of their windows. Each select passes {@link
 * SelectHints} (the data's start and end, the step, the range function applied to the selector
 * and its range), so storage can answer from a rollup tier; a series it returns as an {@link
 * AggregateSeries} is loaded with its aggregate columns. The sample budget and the deadline are
 * checked while reading, so an oversized selection fails before it is all in memory.
 */
final class SeriesLoader {
  private SeriesLoader() {}

  /** [mint, maxt] needed by one selector. */
  private record Window(long mint, long maxt) {
    Window union(Window o) {
      return new Window(Math.min(mint, o.mint), Math.max(maxt, o.maxt));
    }
  }

  /**
   * The times a selector reads at: first, first + step, ... <= last, each needing samples in
   * [ref - before, ref]. Where {@code before < step} the windows leave gaps that are not loaded.
   */
  private record Grid(long first, long last, long step, long before) {
    boolean sparse() {
      return step > 0 && last > first && before < step;
    }
  }

  /** What one select is for: selectors with equal keys share it. */
  private record Key(List<Matcher> matchers, String func, long range, long step) {}

  /** The query's fixed times: {@code @ start()}/{@code end()} and the default subquery step. */
  private record Times(long queryStart, long queryEnd, long lookback, long subqueryStep) {}

  /** The selectors of one key and the union of their windows. */
  private static final class Group {
    Window window;
    final List<Grid> grids = new ArrayList<>();
    final List<VectorSelector> selectors = new ArrayList<>();
  }

  /**
   * The series loaded for each selector of a query, and the querier the streamed selectors read
   * from while the query evaluates: close it when the query is done.
   */
  static final class Loaded implements AutoCloseable {
    private final Map<VectorSelector, List<LoadedSeries>> bySelector = new IdentityHashMap<>();
    private final Map<List<Matcher>, List<LoadedSeries>> byMatchers = new HashMap<>();
    private Querier querier;

    private final Map<Object, SeriesSet> selects = new HashMap<>();

    /**
     * What the open querier (over every selector's window) selects for a streamed selector;
     * equal selects (the same matchers and hints, e.g. {@code rate(x[5m])} twice) are made once.
     */
    SeriesSet select(SelectHints hints, List<Matcher> matchers) {
      record Key(SelectHints hints, List<Matcher> matchers) {}
      return selects.computeIfAbsent(new Key(hints, matchers), k -> querier.select(hints, matchers));
    }

    @Override
    public void close() {
      if (querier != null) {
        querier.close();
        querier = null;
      }
    }

    /** The series of selector {@code vs} (a selector the loader did not see: any with its matchers). */
    List<LoadedSeries> get(VectorSelector vs) {
      List<LoadedSeries> l = bySelector.get(vs);
      return l != null ? l : byMatchers.getOrDefault(vs.matchers(), List.of());
    }
  }

  /**
   * Loads every selector of {@code root} except those in {@code streamed}, which are read from
   * {@link Loaded#querier()} while the query evaluates.
   */
  static Loaded load(Queryable queryable, Expr root, long start, long end, long step,
      long lookbackMs, long subqueryStepMs, boolean forceRaw, QueryBudget budget,
      Set<VectorSelector> streamed) {
    Map<Key, Group> groups = new LinkedHashMap<>();
    collect(root, start, end, step, "", new Times(start, end, lookbackMs, subqueryStepMs), groups);
    Loaded out = new Loaded();
    if (groups.isEmpty()) {
      return out;
    }
    Window all = null;
    for (Group g : groups.values()) {
      all = all == null ? g.window : all.union(g.window);
      g.selectors.removeIf(streamed::contains);
    }
    out.querier = queryable.querier(all.mint, all.maxt);
    boolean done = false;
    try {
      Querier q = out.querier;
      for (Map.Entry<Key, Group> e : groups.entrySet()) {
        if (e.getValue().selectors.isEmpty()) {
          continue;
        }
        budget.checkDeadline();
        Key k = e.getKey();
        Window w = e.getValue().window;
        SelectHints hints = new SelectHints(w.mint, w.maxt, k.step, k.func, k.range, forceRaw);
        List<LoadedSeries> list = new ArrayList<>();
        for (Series s : q.select(hints, k.matchers)) {
          List<Grid> grids = e.getValue().grids;
          LoadedSeries ls = s instanceof AggregateSeries a && RangeFunctions.fromAggregates(k.func)
              ? readAggregates(a, w.mint, w.maxt, budget)
              : grids.size() == 1 && grids.get(0).sparse() ? readSparse(s, grids.get(0), budget)
              : read(s, w.mint, w.maxt, budget);
          if (ls != null) {
            list.add(ls);
          }
        }
        for (VectorSelector vs : e.getValue().selectors) {
          out.bySelector.put(vs, list);
        }
        out.byMatchers.putIfAbsent(k.matchers, list);
      }
      done = true;
    } catch (java.util.concurrent.CancellationException e) {
      throw new QueryException(QueryException.Kind.TIMEOUT,
          "query timed out in series selection", e);
    } finally {
      if (!done) {
        out.close();
      }
    }
    return out;
  }

  /** A rollup series' points in [mint, maxt]; each point counts as one sample of the budget. */
  static LoadedSeries readAggregates(AggregateSeries s, long mint, long maxt,
      QueryBudget budget) {
    Aggregates a = s.aggregates();
    long[] ts = a.timestamps();
    int from = 0;
    while (from < ts.length && ts[from] < mint) {
      from++;
    }
    int to = from;
    while (to < ts.length && ts[to] <= maxt) {
      to++;
    }
    if (to == from) {
      return null;
    }
    budget.addSamples(to - from);
    budget.tick();
    return LoadedSeries.ofAggregates(s.labels(), a, from, to);
  }

  /**
   * Only the samples some step's window [ref - before, ref] holds: a long range at a coarse step
   * (30 days of {@code rate(x[5m])} at 1 h) holds and counts a twelfth of the samples, seeking
   * over the gaps.
   */
  private static LoadedSeries readSparse(Series s, Grid g, QueryBudget budget) {
    SampleIterator it = s.iterator();
    long hi = g.first;
    long lo = hi - g.before;
    if (!it.seek(lo)) {
      return null;
    }
    PointBuffer b = new PointBuffer(16);
    int counted = 0;
    while (true) {
      long t = it.timestamp();
      if (t > g.last) {
        break;
      }
      if (t > hi) {
        // The first step whose ref is >= t; its window may start after t.
        long k = Math.ceilDiv(t - g.first, g.step);
        hi = g.first + k * g.step;
        if (hi > g.last) {
          break;
        }
        lo = hi - g.before;
        if (t < lo) {
          if (!it.seek(lo)) {
            break;
          }
          continue;
        }
      }
      if (b.n == b.ts.length) {
        budget.addSamples(b.n - counted);
        counted = b.n;
        budget.checkDeadline();
      }
      b.add(t, it.value());
      if (!it.next()) {
        break;
      }
    }
    if (b.n == 0) {
      return null;
    }
    budget.addSamples(b.n - counted);
    budget.tick();
    return LoadedSeries.of(s.labels(), b.ts, b.vs, b.n);
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

  private static void collect(Expr e, long start, long end, long step, String func, Times times,
      Map<Key, Group> out) {
    switch (e) {
      case Expr.VectorSelector vs -> put(out, vs, new Key(vs.matchers(), "", 0, step),
          start, end, step, times, times.lookback);
      case Expr.MatrixSelector ms -> put(out, ms.selector(),
          new Key(ms.selector().matchers(), func, ms.rangeMs(), step), start, end, step, times,
          ms.rangeMs());
      case Expr.Call c -> {
        // The function reaches storage only for a range selector that is its direct argument.
        String name = RangeFunctions.supports(c.function().name()) ? c.function().name() : "";
        c.args().forEach(a -> collect(a, start, end, step, name, times, out));
      }
      case Expr.AggregateExpr a -> {
        collect(a.expr(), start, end, step, "", times, out);
        if (a.param() != null) {
          collect(a.param(), start, end, step, "", times, out);
        }
      }
      case Expr.BinaryExpr b -> {
        collect(b.lhs(), start, end, step, "", times, out);
        collect(b.rhs(), start, end, step, "", times, out);
      }
      case Expr.UnaryExpr u -> collect(u.expr(), start, end, step, "", times, out);
      case Expr.ParenExpr p -> collect(p.expr(), start, end, step, func, times, out);
      case Expr.SubqueryExpr s -> {
        long[] r = Evaluator.subqueryRange(s, start, end, times.queryStart, times.queryEnd,
            times.subqueryStep);
        collect(s.expr(), r[0], r[1], r[2], "", times, out);
      }
      case Expr.NumberLiteral n -> { }
      case Expr.StringLiteral s -> { }
    }
  }

  private static void put(Map<Key, Group> out, VectorSelector vs, Key key, long start, long end,
      long step, Times times, long before) {
    long from = Evaluator.refTime(vs, start, times.queryStart, times.queryEnd);
    long to = Evaluator.refTime(vs, end, times.queryStart, times.queryEnd);
    Window w = new Window(Evaluator.minus(Math.min(from, to), before), Math.max(from, to));
    Group g = out.computeIfAbsent(key, k -> new Group());
    g.window = g.window == null ? w : g.window.union(w);
    g.selectors.add(vs);
    Grid grid = new Grid(Math.min(from, to), Math.max(from, to), from == to ? 0 : step, before);
    if (!g.grids.contains(grid)) {
      g.grids.add(grid);
    }
  }
}
