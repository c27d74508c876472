package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import syslens.storage.AggregateSeries;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.storage.SeriesSet;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.downsample.Downsampler;

/**
 * Range queries over real 5-minute rollup blocks (written by tsdb's BlockWriter and Downsampler)
 * against the same functions computed from the raw samples, on random data: gaps, counter resets,
 * several series, steps and ranges that are multiples of the tier's interval, with samples off the
 * interval boundaries (a sample exactly on a boundary belongs to the next interval but to both
 * Prometheus windows that meet there).
 *
 * <p>Tolerance: 1e-9 relative. {@code *_over_time} equal the raw engine's answer ({@code
 * raw=true}); {@code rate}/{@code increase} over rollups are the reset-aware increase from the last
 * sample before the window to the last sample in it (no extrapolation), checked against that
 * computed from the raw samples.
 */
class RollupQueryPropertyTest {
  static final long T0 = 1_764_028_800_000L; // a midnight UTC
  static final long HOURS = 6;
  static final long RES = 300_000;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + 86_400_000L), ZoneOffset.UTC);
  static final String[] OVER_TIME = {"avg_over_time", "sum_over_time", "count_over_time",
      "min_over_time", "max_over_time", "last_over_time"};

  /** Raw samples of one series, as written. */
  record Raw(Labels labels, long[] ts, double[] vs, int n) {}

  @Property(tries = 12)
  void rangeQuery_overRollups_equalsRawComputation(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 3) int intervalIdx,
      @ForAll @IntRange(min = 1, max = 4) int stepFiveMinutes,
      @ForAll @IntRange(min = 1, max = 12) int rangeFiveMinutes,
      @ForAll @LongRange(min = 1, max = 9_999) long phase) throws Exception {
    long interval = new long[] {10_000, 15_000, 30_000, 60_000}[intervalIdx];
    long ph = phase % interval == 0 ? 1 : phase % interval;
    Random rnd = new Random(seed);
    Path dir = Files.createTempDirectory("rollup-prop-");
    try {
      List<Raw> raw = write(dir, rnd, interval, ph);
      try (Blocks blocks = Blocks.open(dir)) {
        Downsampler.create(blocks, CLOCK).downsample(blocks.blocks().get(0), RES);
        AtomicInteger aggregateSeries = new AtomicInteger();
        Queryable q = watching(blocks::querier, aggregateSeries);
        Engine engine = Engine.builder(q).build();
        // Rollups serve when max(step, range) >= 5 x 5 min; steps and ranges stay multiples of 5 min.
        long step = 6 * RES * stepFiveMinutes;
        long range = RES * rangeFiveMinutes;
        long start = T0 + RES * (1 + rnd.nextInt(12));
        long end = Math.min(T0 + HOURS * 3_600_000L, start + step * (2 + rnd.nextInt(8)));
        String sel = "x[" + range / 1000 + "s]";
        for (String f : OVER_TIME) {
          String query = f + "(" + sel + ")";
          aggregateSeries.set(0);
          Map<Labels, Map<Long, Double>> rolled = values(engine.rangeQuery(Engine.parse(query), start, end, step, false));
          assertThat(aggregateSeries.get()).as("%s read rollups", query).isPositive();
          Map<Labels, Map<Long, Double>> exact = values(engine.rangeQuery(Engine.parse(query), start, end, step, true));
          assertClose(query, rolled, exact);
        }
        for (String f : new String[] {"increase", "rate"}) {
          String query = f + "(" + sel + ")";
          Map<Labels, Map<Long, Double>> rolled = values(engine.rangeQuery(Engine.parse(query), start, end, step, false));
          assertClose(query, rolled, reference(raw, start, end, step, range, f.equals("rate")));
        }
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }

  @Test
  void rangeQuery_rawParameter_neverReadsRollups() throws Exception {
    Path dir = Files.createTempDirectory("rollup-raw-");
    try {
      write(dir, new Random(7), 10_000, 1234);
      try (Blocks blocks = Blocks.open(dir)) {
        Downsampler.create(blocks, CLOCK).downsample(blocks.blocks().get(0), RES);
        AtomicInteger aggregateSeries = new AtomicInteger();
        Engine engine = Engine.builder(watching(blocks::querier, aggregateSeries)).build();
        Matrix raw = engine.rangeQuery(Engine.parse("count_over_time(x[1h])"), T0 + 3_600_000, T0 + 5 * 3_600_000, 3_600_000, true);
        assertThat(aggregateSeries.get()).isZero();
        engine.rangeQuery(Engine.parse("count_over_time(x[1h])"), T0 + 3_600_000, T0 + 5 * 3_600_000, 3_600_000, false);
        assertThat(aggregateSeries.get()).isPositive();
        assertThat(raw.series()).isNotEmpty();
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }

  /** Three series of 6 h: a gauge, a counter with resets, a counter with gaps. */
  private static List<Raw> write(Path dir, Random rnd, long interval, long phase) throws Exception {
    List<Raw> out = new ArrayList<>();
    try (BlockWriter w = BlockWriter.builder(dir, T0, T0 + HOURS * 3_600_000L - 1).clock(CLOCK).build()) {
      for (String name : new String[] {"a", "b", "c"}) {
        int cap = (int) (HOURS * 3_600_000L / interval);
        long[] ts = new long[cap];
        double[] vs = new double[cap];
        int n = 0;
        double c = rnd.nextInt(1000);
        for (int k = 0; k < cap; k++) {
          long t = T0 + k * interval + phase;
          if (t >= T0 + HOURS * 3_600_000L || (name.equals("c") && interval < 60_000 && rnd.nextInt(10) == 0)) {
            continue;
          }
          double v;
          if (name.equals("a")) {
            v = rnd.nextInt(2000) / 4.0 - 200;
          } else {
            c = rnd.nextInt(400) == 0 ? rnd.nextInt(5) : c + rnd.nextInt(100) / 8.0;
            v = c;
          }
          ts[n] = t;
          vs[n] = v;
          n++;
        }
        Labels l = Labels.of("__name__", "x", "s", name);
        w.addSeries(l, ts, vs, n);
        out.add(new Raw(l, ts, vs, n));
      }
      w.commit();
    }
    return out;
  }

  /** The reset-aware increase over each step's window (t - range, t], from the sample before it. */
  private static Map<Labels, Map<Long, Double>> reference(List<Raw> raw, long start, long end,
      long step, long range, boolean rate) {
    Map<Labels, Map<Long, Double>> out = new HashMap<>();
    for (Raw r : raw) {
      for (long t = start; t <= end; t += step) {
        double inc = 0;
        boolean any = false;
        for (int i = 0; i < r.n; i++) {
          if (r.ts[i] >= t - range && r.ts[i] <= t) {
            any = true;
            if (i > 0) {
              inc += r.vs[i] >= r.vs[i - 1] ? r.vs[i] - r.vs[i - 1] : r.vs[i];
            }
          }
        }
        if (any) {
          out.computeIfAbsent(r.labels.withoutMetricName(), k -> new HashMap<>())
              .put(t, rate ? inc / (range / 1000.0) : inc);
        }
      }
    }
    return out;
  }

  private static Map<Labels, Map<Long, Double>> values(Matrix m) {
    Map<Labels, Map<Long, Double>> out = new HashMap<>();
    for (RangeSeries s : m.series()) {
      Map<Long, Double> pts = new HashMap<>();
      for (Point p : s.points()) {
        pts.put(p.timestampMs(), p.value());
      }
      out.put(s.labels().withoutMetricName(), pts);
    }
    return out;
  }

  private static void assertClose(String query, Map<Labels, Map<Long, Double>> actual,
      Map<Labels, Map<Long, Double>> expected) {
    assertThat(actual.keySet()).as(query).isEqualTo(expected.keySet());
    for (Labels l : expected.keySet()) {
      assertThat(actual.get(l).keySet()).as("%s %s steps", query, l).isEqualTo(expected.get(l).keySet());
      for (Map.Entry<Long, Double> e : expected.get(l).entrySet()) {
        double a = actual.get(l).get(e.getKey());
        double x = e.getValue();
        assertThat(Math.abs(a - x)).as("%s %s at %d: %s vs %s", query, l, e.getKey(), a, x)
            .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(x)));
      }
    }
  }

  /** Counts the series storage answers from rollups (as {@link AggregateSeries}). */
  private static Queryable watching(Queryable q, AtomicInteger aggregates) {
    return (mint, maxt) -> {
      Querier inner = q.querier(mint, maxt);
      return new Querier() {
        @Override
        public SeriesSet select(List<Matcher> matchers) {
          return inner.select(matchers);
        }

        @Override
        public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
          List<Series> out = new ArrayList<>();
          for (Series s : inner.select(hints, matchers)) {
            if (s instanceof AggregateSeries) {
              aggregates.incrementAndGet();
            }
            out.add(s);
          }
          return SeriesSet.of(out);
        }

        @Override
        public List<String> labelNames() {
          return inner.labelNames();
        }

        @Override
        public List<String> labelValues(String name) {
          return inner.labelValues(name);
        }

        @Override
        public void close() {
          inner.close();
        }
      };
    };
  }
}
