package syslens.remote;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.StorageException;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Reads a time range from the store: each select asks the store once for the series' raw samples
 * (the query engine computes every function itself, so results are exactly the embedded
 * engine's), label names and values from the store's label API.
 */
final class RemoteQuerier implements Querier {
  private final StoreClient client;
  private final java.util.concurrent.atomic.AtomicLong downsampled;
  private final long mint;
  private final long maxt;

  RemoteQuerier(StoreClient client, java.util.concurrent.atomic.AtomicLong downsampled, long mint, long maxt) {
    this.client = client;
    this.downsampled = downsampled;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    requireSelective(matchers);
    List<StoreClient.Exported> lines = client.export(selector(matchers), mint, maxt);
    // A store may split one series over several lines: merge, sort by time, keep one sample a time.
    Map<Labels, List<StoreClient.Exported>> bySeries = new HashMap<>();
    for (StoreClient.Exported e : lines) {
      bySeries.computeIfAbsent(e.labels(), k -> new ArrayList<>(1)).add(e);
    }
    List<Series> out = new ArrayList<>(bySeries.size());
    for (Map.Entry<Labels, List<StoreClient.Exported>> e : bySeries.entrySet()) {
      if (matchers.stream().allMatch(m -> m.matches(e.getKey()))) {
        out.add(merge(e.getKey(), e.getValue()));
      }
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return SeriesSet.of(out);
  }

  private Series merge(Labels labels, List<StoreClient.Exported> parts) {
    int n = 0;
    for (StoreClient.Exported p : parts) {
      n += Math.min(p.timestamps().length, p.values().length);
    }
    double[] vs = new double[n];
    Integer[] order = new Integer[n];
    long[] ts = new long[n];
    int k = 0;
    for (StoreClient.Exported p : parts) {
      int m = Math.min(p.timestamps().length, p.values().length);
      for (int i = 0; i < m; i++) {
        ts[k] = p.timestamps()[i];
        vs[k] = p.values()[i];
        order[k] = k;
        k++;
      }
    }
    Arrays.sort(order, (a, b) -> Long.compare(ts[a], ts[b]));
    long[] sts = new long[n];
    double[] svs = new double[n];
    int w = 0;
    for (int i = 0; i < n; i++) {
      long t = ts[order[i]];
      if (t < mint || t > maxt) {
        continue;
      }
      if (w > 0 && sts[w - 1] == t) {
        svs[w - 1] = vs[order[i]];
        continue;
      }
      sts[w] = t;
      svs[w] = vs[order[i]];
      w++;
    }
    return new ArraySeries(labels, sts, svs, w);
  }

  /** Refuses a selection every series would match (the storage-api contract). */
  static void requireSelective(List<Matcher> matchers) {
    if (matchers.isEmpty() || matchers.stream().allMatch(Matcher::matchesEmpty)) {
      throw new IllegalArgumentException("matchers: " + matchers
          + " (expected: at least one that does not match the empty string)");
    }
  }

  /** The PromQL selector of the matchers: {@code {name="v",job=~"a|b"}}. */
  static String selector(List<Matcher> matchers) {
    StringBuilder sb = new StringBuilder("{");
    for (Matcher m : matchers) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(m.name()).append(m.type().op()).append('"');
      String v = m.value();
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '"' -> sb.append("\\\"");
          case '\n' -> sb.append("\\n");
          default -> sb.append(c);
        }
      }
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  @Override
  public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
    long interval = client.hasRollups() ? Rollups.interval(hints, matchers) : 0;
    if (interval == 0) {
      return select(matchers);
    }
    try {
      return rollups(hints, matchers, interval);
    } catch (StorageException e) {
      if (e.getCause() instanceof StoreClient.StatusException s && (s.code == 400 || s.code == 422)) {
        client.noRollups(); // not VictoriaMetrics' functions: raw samples, the engine computes
        return select(matchers);
      }
      throw e;
    }
  }

  private SeriesSet rollups(SelectHints hints, List<Matcher> matchers, long interval) {
    // Intervals (T - interval, T] on the epoch grid, covering [start, end].
    long first = Math.floorDiv(Math.max(mint, hints.start()), interval) * interval + interval;
    long last = Math.floorDiv(Math.min(maxt, hints.end()) + interval - 1, interval) * interval;
    String name = Rollups.metricName(matchers);
    String column = Rollups.column(hints.func());
    List<String> functions = new ArrayList<>(List.of("count_over_time", "last_over_time", "tlast_over_time"));
    if (column != null) {
      functions.add(column);
    }
    Map<Labels, Rollups.Columns> series = new HashMap<>();
    String sel = selector(matchers);
    for (String f : functions) {
      for (StoreClient.Exported e : client.queryRange(f + "(" + sel + "[" + interval / 1000 + "s])", first, last,
          interval)) {
        Labels labels = e.labels().toBuilder().set(Labels.METRIC_NAME, name).build();
        Rollups.Columns c = series.computeIfAbsent(labels, Rollups.Columns::new);
        for (int i = 0; i < e.timestamps().length; i++) {
          c.put(f, e.timestamps()[i], e.values()[i]);
        }
      }
    }
    downsampled.incrementAndGet();
    List<Series> out = new ArrayList<>(series.size());
    for (Rollups.Columns c : series.values()) {
      if (matchers.stream().allMatch(m -> m.matches(c.labels))) {
        Rollups.RollupSeries r = c.build(column);
        if (r.aggregates().size() > 0) {
          out.add(r);
        }
      }
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return SeriesSet.of(out);
  }

  @Override
  public List<String> labelNames() {
    List<String> names = new ArrayList<>(client.labelNames(mint, maxt));
    names.sort(null);
    return names;
  }

  @Override
  public List<String> labelValues(String name) {
    List<String> values = new ArrayList<>(client.labelValues(name, mint, maxt));
    values.sort(null);
    return values;
  }

  @Override
  public void close() {}

  /** A series held in arrays. */
  private record ArraySeries(Labels labels, long[] ts, double[] vs, int n) implements Series {
    @Override
    public SampleIterator iterator() {
      return new ArrayIterator(ts, vs, n);
    }
  }

  /** Walks samples held in arrays. */
  static final class ArrayIterator implements SampleIterator {
    private final long[] ts;
    private final double[] vs;
    private final int n;
    private int i = -1;

    ArrayIterator(long[] ts, double[] vs, int n) {
      this.ts = ts;
      this.vs = vs;
      this.n = n;
    }

    @Override
    public boolean next() {
      if (i < n) {
        i++;
      }
      return i < n;
    }

    @Override
    public boolean seek(long t) {
      if (i < 0) {
        i = 0;
      }
      while (i < n && ts[i] < t) {
        i++;
      }
      return i < n;
    }

    @Override
    public long timestamp() {
      return ts[i];
    }

    @Override
    public double value() {
      return vs[i];
    }
  }
}
