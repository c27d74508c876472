package syslens.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/** Test fixture: series as sorted sample maps; counts queriers and selects. */
final class MemoryQueryable implements Queryable {
  private final Map<Labels, TreeMap<Long, Double>> series = new TreeMap<>();
  int queriersOpened;
  int selects;
  long lastMint;
  long lastMaxt;
  /** The hints of every hinted select, in order. */
  final List<SelectHints> hints = new ArrayList<>();

  static MemoryQueryable create() {
    return new MemoryQueryable();
  }

  MemoryQueryable add(Labels labels, long t, double v) {
    series.computeIfAbsent(labels, k -> new TreeMap<>()).put(t, v);
    return this;
  }

  /** Adds values at t0, t0+interval, ...; a null value leaves a gap. */
  MemoryQueryable addAll(Labels labels, long t0, long interval, Double... values) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        add(labels, t0 + i * interval, values[i]);
      }
    }
    return this;
  }

  void clear() {
    series.clear();
  }

  @Override
  public Querier querier(long mint, long maxt) {
    queriersOpened++;
    lastMint = mint;
    lastMaxt = maxt;
    return new Querier() {
      @Override
      public SeriesSet select(SelectHints h, List<Matcher> matchers) {
        hints.add(h);
        return select(matchers);
      }

      @Override
      public SeriesSet select(List<Matcher> matchers) {
        selects++;
        List<Series> out = new ArrayList<>();
        for (Map.Entry<Labels, TreeMap<Long, Double>> e : series.entrySet()) {
          if (matchers.stream().allMatch(m -> m.matches(e.getKey()))) {
            var sub = new ArrayList<>(e.getValue().subMap(mint, true, maxt, true).entrySet());
            if (!sub.isEmpty()) {
              Labels l = e.getKey();
              out.add(new Series() {
                @Override
                public Labels labels() {
                  return l;
                }

                @Override
                public SampleIterator iterator() {
                  return new ListIterator(sub);
                }
              });
            }
          }
        }
        return SeriesSet.of(out);
      }

      @Override
      public List<String> labelNames() {
        return List.of();
      }

      @Override
      public List<String> labelValues(String name) {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }

  private static final class ListIterator implements SampleIterator {
    private final List<Map.Entry<Long, Double>> samples;
    private int i = -1;

    ListIterator(List<Map.Entry<Long, Double>> samples) {
      this.samples = samples;
    }

    @Override
    public boolean next() {
      if (i < samples.size()) {
        i++;
      }
      return i < samples.size();
    }

    @Override
    public boolean seek(long t) {
      if (i < 0) {
        i = 0;
      }
      while (i < samples.size() && samples.get(i).getKey() < t) {
        i++;
      }
      return i < samples.size();
    }

    @Override
    public long timestamp() {
      return samples.get(i).getKey();
    }

    @Override
    public double value() {
      return samples.get(i).getValue();
    }
  }
}
