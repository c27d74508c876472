package syslens.storage;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * A {@link Queryable} that shows only the series inside a scope: a list of selectors (each a
 * list of matchers that must all match), a series being visible when it matches at least one of
 * them. Every read goes through the scope, so nothing built on top (the PromQL engine's
 * selections, {@code label_replace}, {@code count by}, {@code absent}, the metadata endpoints)
 * can see or count a series outside it: selections are answered as the union, over the scope's
 * selectors, of the storage's own selection with the selector's matchers added (the index does
 * the intersection, samples are never copied), and label names and values are collected from
 * the scope's series only.
 */
public final class ScopedQueryable implements Queryable {
  private final Queryable base;
  private final List<List<Matcher>> scope;

  private ScopedQueryable(Queryable base, List<List<Matcher>> scope) {
    this.base = base;
    this.scope = scope;
  }

  /**
   * {@code base} limited to {@code scope}; {@code scope == null} means unscoped and returns
   * {@code base} itself (no wrapper, no cost). An empty scope shows nothing.
   *
   * @throws IllegalArgumentException when a selector has no matcher that rejects the empty
   *     value (it would select every series without the label, as storage refuses)
   */
  public static Queryable of(Queryable base, List<List<Matcher>> scope) {
    requireNonNull(base, "base");
    if (scope == null) {
      return base;
    }
    List<List<Matcher>> copy = new ArrayList<>(scope.size());
    for (List<Matcher> s : scope) {
      if (s.stream().allMatch(Matcher::matchesEmpty)) {
        throw new IllegalArgumentException("scope selector " + s
            + " (expected: at least one matcher that does not match the empty value)");
      }
      copy.add(List.copyOf(s));
    }
    return new ScopedQueryable(base, List.copyOf(copy));
  }

  /** True when {@code labels} fall inside {@code scope} (null: unscoped, always true). */
  public static boolean visible(List<List<Matcher>> scope, Labels labels) {
    if (scope == null) {
      return true;
    }
    for (List<Matcher> s : scope) {
      boolean all = true;
      for (Matcher m : s) {
        if (!m.matches(labels)) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  public List<List<Matcher>> scope() {
    return scope;
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return new Scoped(base.querier(mint, maxt));
  }

  private final class Scoped implements Querier {
    private final Querier q;

    Scoped(Querier q) {
      this.q = q;
    }

    @Override
    public SeriesSet select(List<Matcher> matchers) {
      return union(s -> q.select(with(matchers, s)));
    }

    @Override
    public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
      return union(s -> q.select(hints, with(matchers, s)));
    }

    @Override
    public List<String> labelNames() {
      TreeSet<String> out = new TreeSet<>();
      for (List<Matcher> s : scope) {
        for (Series series : q.select(s)) {
          series.labels().forEach((n, v) -> out.add(n));
        }
      }
      return List.copyOf(out);
    }

    @Override
    public List<String> labelValues(String name) {
      TreeSet<String> out = new TreeSet<>();
      for (List<Matcher> s : scope) {
        for (Series series : q.select(s)) {
          String v = series.labels().get(name);
          if (!v.isEmpty()) {
            out.add(v);
          }
        }
      }
      return List.copyOf(out);
    }

    @Override
    public void close() {
      q.close();
    }
  }

  private static List<Matcher> with(List<Matcher> matchers, List<Matcher> selector) {
    List<Matcher> all = new ArrayList<>(matchers.size() + selector.size());
    all.addAll(matchers);
    all.addAll(selector);
    return all;
  }

  private SeriesSet union(java.util.function.Function<List<Matcher>, SeriesSet> select) {
    if (scope.isEmpty()) {
      return SeriesSet.empty();
    }
    if (scope.size() == 1) {
      return select.apply(scope.get(0)); // the common case: the storage's own answer, untouched
    }
    List<SeriesSet> sets = new ArrayList<>(scope.size());
    for (List<Matcher> s : scope) {
      sets.add(select.apply(s));
    }
    return () -> new Union(sets);
  }

  /** Merges sets each sorted by labels into one sorted set, a series in several sets once. */
  private static final class Union implements Iterator<Series> {
    private record Head(Series series, Iterator<Series> rest) {}

    private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) ->
        a.series().labels().compareTo(b.series().labels()));

    Union(List<SeriesSet> sets) {
      for (SeriesSet s : sets) {
        advance(s.iterator());
      }
    }

    private void advance(Iterator<Series> it) {
      if (it.hasNext()) {
        heads.add(new Head(it.next(), it));
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public Series next() {
      Head h = heads.poll();
      if (h == null) {
        throw new NoSuchElementException();
      }
      advance(h.rest());
      while (!heads.isEmpty() && heads.peek().series().labels().equals(h.series().labels())) {
        Head dup = heads.poll();
        advance(dup.rest());
      }
      return h.series();
    }
  }
}
