package syslens.alerting.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Shares selector results between the rules of one evaluation round: every rule evaluated at
 * the same time asks for the same window, so a selection (matchers and window) is read from
 * storage once per round and kept in arrays; ten thousand rules over a few hundred distinct
 * selectors do a few hundred selections. Rules of the form {@code <vector expression> <comparison>
 * <number>} also share the left side's result ({@link #results}): a thousand rules
 * {@code avg by (group) (cpu) > N} with different N aggregate once. Thread-safe; thrown away
 * after the round.
 */
final class RoundCache implements Queryable {
  private record Key(long mint, long maxt, List<Matcher> matchers) {}

  private record Loaded(Labels labels, long[] ts, double[] vs) implements Series {
    @Override
    public SampleIterator iterator() {
      return new SampleIterator() {
        int i = -1;

        @Override
        public boolean next() {
          return ++i < ts.length;
        }

        @Override
        public boolean seek(long t) {
          if (i < 0) {
            i = 0;
          }
          while (i < ts.length && ts[i] < t) {
            i++;
          }
          return i < ts.length;
        }

        @Override
        public long timestamp() {
          return ts[i];
        }

        @Override
        public double value() {
          return vs[i];
        }
      };
    }
  }

  private final Queryable base;
  /** Results of sub-expressions several rules share (e.g. the left side of {@code x > 90}). */
  final ConcurrentHashMap<Object, syslens.query.Value> results = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Key, List<Series>> selections = new ConcurrentHashMap<>();
  final AtomicLong hits = new AtomicLong();
  final AtomicLong misses = new AtomicLong();

  RoundCache(Queryable base) {
    this.base = base;
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return new Querier() {
      @Override
      public SeriesSet select(List<Matcher> matchers) {
        Key k = new Key(mint, maxt, List.copyOf(matchers));
        List<Series> s = selections.get(k);
        if (s != null) {
          hits.incrementAndGet();
          return s::iterator;
        }
        misses.incrementAndGet();
        s = selections.computeIfAbsent(k, x -> load(mint, maxt, x.matchers()));
        return s::iterator;
      }

      @Override
      public List<String> labelNames() {
        try (Querier q = base.querier(mint, maxt)) {
          return q.labelNames();
        }
      }

      @Override
      public List<String> labelValues(String name) {
        try (Querier q = base.querier(mint, maxt)) {
          return q.labelValues(name);
        }
      }

      @Override
      public void close() {}
    };
  }

  private List<Series> load(long mint, long maxt, List<Matcher> matchers) {
    List<Series> out = new ArrayList<>();
    try (Querier q = base.querier(mint, maxt)) {
      for (Series s : q.select(SelectHints.raw(mint, maxt), matchers)) {
        long[] ts = new long[8];
        double[] vs = new double[8];
        int n = 0;
        SampleIterator it = s.iterator();
        while (it.next()) {
          if (n == ts.length) {
            ts = java.util.Arrays.copyOf(ts, n * 2);
            vs = java.util.Arrays.copyOf(vs, n * 2);
          }
          ts[n] = it.timestamp();
          vs[n++] = it.value();
        }
        out.add(new Loaded(s.labels(), java.util.Arrays.copyOf(ts, n),
            java.util.Arrays.copyOf(vs, n)));
      }
    }
    return List.copyOf(out);
  }
}
