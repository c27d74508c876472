package syslens.remote;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.storage.AggregateSeries;
import syslens.storage.Aggregates;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;

/**
 * Passes the engine's select hints on to VictoriaMetrics so it downsamples: for a range function
 * the embedded engine can compute from per-interval aggregates ({@code rate}, {@code increase},
 * {@code *_over_time} of avg, sum, count, min, max, last) at a step or range of at least 25 min,
 * the store computes one point per 5-minute (or, from 5 h, 1-hour) interval aligned to the epoch,
 * as the embedded engine's rollup tiers: {@code count_over_time}, {@code last_over_time}, {@code
 * tlast_over_time} (the interval's last sample time) and the function's own column ({@code
 * increase}, {@code sum_over_time}, {@code min_over_time} or {@code max_over_time}) through {@code
 * /api/v1/query_range}. The engine then treats the answer as it treats a rollup tier (exact over
 * windows that hold whole intervals; {@code rate}/{@code increase} without extrapolation, as
 * VictoriaMetrics). Only for a selector with {@code __name__="..."} (the functions drop the name).
 */
final class Rollups {
  private Rollups() {}

  static final Set<String> FUNCTIONS = Set.of("rate", "increase", "avg_over_time", "sum_over_time",
      "count_over_time", "min_over_time", "max_over_time", "last_over_time");
  private static final long[] TIERS = {3_600_000, 300_000};

  /** The interval to downsample to, or 0 when the hints call for raw samples. */
  static long interval(SelectHints hints, List<Matcher> matchers) {
    if (hints == null || hints.forceRaw() || !FUNCTIONS.contains(hints.func()) || metricName(matchers) == null) {
      return 0;
    }
    long allowed = Math.max(hints.step(), hints.range()) / 5;
    for (long t : TIERS) {
      if (t <= allowed && hints.end() - hints.start() >= 2 * t) {
        return t;
      }
    }
    return 0;
  }

  static String metricName(List<Matcher> matchers) {
    for (Matcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME) && m.type() == Matcher.Type.EQUAL) {
        return m.value();
      }
    }
    return null;
  }

  /** The store function giving the column the engine needs for {@code func}, besides count and last. */
  static String column(String func) {
    return switch (func) {
      case "rate", "increase" -> "increase";
      case "avg_over_time", "sum_over_time" -> "sum_over_time";
      case "min_over_time" -> "min_over_time";
      case "max_over_time" -> "max_over_time";
      default -> null;
    };
  }

  /** One series' columns from the store, by point time. */
  static final class Columns {
    final Labels labels;
    final Map<String, Map<Long, Double>> byColumn = new HashMap<>();

    Columns(Labels labels) {
      this.labels = labels;
    }

    void put(String column, long t, double v) {
      byColumn.computeIfAbsent(column, k -> new HashMap<>()).put(t, v);
    }

    /** The points with a count, in time order, as rollup aggregates (timestamps: each interval's last sample). */
    RollupSeries build(String funcColumn) {
      Map<Long, Double> count = byColumn.getOrDefault("count_over_time", Map.of());
      long[] grid = count.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
      int n = grid.length;
      long[] ts = new long[n];
      double[] min = new double[n];
      double[] max = new double[n];
      double[] sum = new double[n];
      double[] cnt = new double[n];
      double[] last = new double[n];
      double[] inc = new double[n];
      Arrays.fill(min, Double.NaN);
      Arrays.fill(max, Double.NaN);
      Arrays.fill(sum, Double.NaN);
      Arrays.fill(inc, Double.NaN);
      Map<Long, Double> tlast = byColumn.getOrDefault("tlast_over_time", Map.of());
      Map<Long, Double> lastCol = byColumn.getOrDefault("last_over_time", Map.of());
      Map<Long, Double> f = funcColumn == null ? Map.of() : byColumn.getOrDefault(funcColumn, Map.of());
      int w = 0;
      long prev = Long.MIN_VALUE;
      for (long g : grid) {
        Double c = count.get(g);
        Double l = lastCol.get(g);
        if (c == null || c <= 0 || l == null) {
          continue;
        }
        Double tl = tlast.get(g);
        long t = tl == null ? g : Math.min(g, Math.round(tl * 1000));
        if (t <= prev) {
          t = prev + 1;
        }
        ts[w] = t;
        cnt[w] = c;
        last[w] = l;
        Double fv = f.get(g);
        double v = fv == null ? Double.NaN : fv;
        switch (funcColumn == null ? "" : funcColumn) {
          case "increase" -> inc[w] = v;
          case "sum_over_time" -> sum[w] = v;
          case "min_over_time" -> min[w] = v;
          case "max_over_time" -> max[w] = v;
          default -> { }
        }
        prev = t;
        w++;
      }
      Aggregates a = new Aggregates(Arrays.copyOf(ts, w), Arrays.copyOf(min, w), Arrays.copyOf(max, w),
          Arrays.copyOf(sum, w), Arrays.copyOf(cnt, w), Arrays.copyOf(last, w), Arrays.copyOf(inc, w));
      return new RollupSeries(labels, a);
    }
  }

  /** A series answered from store-side rollups: points carry the interval's last value. */
  record RollupSeries(Labels labels, Aggregates aggregates) implements AggregateSeries {
    @Override
    public SampleIterator iterator() {
      long[] ts = aggregates.timestamps();
      double[] vs = aggregates.last();
      return new RemoteQuerier.ArrayIterator(ts, vs, ts.length);
    }
  }
}
