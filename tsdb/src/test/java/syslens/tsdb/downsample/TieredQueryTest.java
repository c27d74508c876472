package syslens.tsdb.downsample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;

/** With raw and rollup blocks of the same data, hints pick the tier and the aggregate. */
class TieredQueryTest {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_764_028_800_000L;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + DAY), ZoneOffset.UTC);
  static final List<Matcher> ALL = List.of(Matcher.equal("__name__", "g"));
  @TempDir Path dir;
  Blocks blocks;

  @BeforeEach
  void setUp() throws Exception {
    // A gauge sampled every 10 s: value = minute of the day, counts 6 per minute.
    int n = 8640;
    long[] ts = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = T0 + 10_000L * i;
      vs[i] = i / 6;
    }
    try (BlockWriter w = BlockWriter.builder(dir, T0, T0 + DAY - 1).clock(CLOCK).build()) {
      w.addSeries(Labels.of("__name__", "g"), ts, vs, n);
      w.commit();
    }
    blocks = Blocks.open(dir);
    Downsampler.create(blocks, CLOCK).downsample(blocks.blocks().get(0), 300_000);
  }

  static List<double[]> samples(Iterable<Series> set) {
    List<double[]> out = new ArrayList<>();
    for (Series s : set) {
      SampleIterator it = s.iterator();
      while (it.next()) {
        out.add(new double[] {it.timestamp(), it.value()});
      }
    }
    return out;
  }

  @Test
  void select_hourStep_readsFiveMinuteRollups() {
    try (Querier q = blocks.querier(T0, T0 + DAY - 1)) {
      var max = samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "max_over_time", 3_600_000, false), ALL));
      assertThat(max).hasSize(288);
      assertThat(max.get(0)[1]).isEqualTo(4); // minutes 0..4 in the first 5 minutes
      var count = samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "count_over_time", 3_600_000, false), ALL));
      assertThat(count).allSatisfy(p -> assertThat(p[1]).isEqualTo(30));
      var avg = samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "avg_over_time", 3_600_000, false), ALL));
      assertThat(avg.get(0)[1]).isEqualTo(2.0);
    }
  }

  @Test
  void select_forceRawOrNoHints_readsRawSamples() {
    try (Querier q = blocks.querier(T0, T0 + DAY - 1)) {
      assertThat(samples(q.select(ALL))).hasSize(8640);
      assertThat(samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "max_over_time", 3_600_000, true), ALL))).hasSize(8640);
      assertThat(samples(q.select(new SelectHints(T0, T0 + DAY, 60_000, "rate", 300_000, false), ALL))).hasSize(8640);
    }
  }

  @Test
  void select_rateHint_rebuildsMonotonicCounter() {
    try (Querier q = blocks.querier(T0, T0 + DAY - 1)) {
      var c = samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "rate", 3_600_000, false), ALL));
      assertThat(c).hasSize(288);
      for (int i = 1; i < c.size(); i++) {
        assertThat(c.get(i)[1]).isGreaterThanOrEqualTo(c.get(i - 1)[1]);
      }
      assertThat(c.get(c.size() - 1)[1]).isEqualTo(1439); // ends at the real last value
      assertThat(c.get(c.size() - 1)[1] - c.get(0)[1]).isEqualTo(1439 - 4); // the day's increase after the first point
      assertThat(c.get(0)[1]).isEqualTo(4); // no reset in the block: equal to the real counter
    }
  }

  static String writeCounterDay(Path dir, long start, double offset) throws Exception {
    int n = 8640;
    long[] ts = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = start + 10_000L * i;
      vs[i] = offset + i / 6;
    }
    try (BlockWriter w = BlockWriter.builder(dir, start, start + DAY - 1).clock(CLOCK).build()) {
      w.addSeries(Labels.of("__name__", "g"), ts, vs, n);
      return w.commit().id();
    }
  }

  @Test
  void select_rateAcrossRollupThenRaw_continuousCounterAtTheBoundary(@TempDir Path other) throws Exception {
    // A counter already at 1,000,000: day 1 only as 5-minute rollups, day 2 raw (not downsampled).
    writeCounterDay(other, T0, 1_000_000);
    try (Blocks b = Blocks.open(other)) {
      Downsampler.create(b, CLOCK).downsample(b.blocks().get(0), 300_000);
      b.replace(List.of(b.blocks().stream().filter(x -> x.meta().resolution() == 0).findFirst().orElseThrow()), List.of());
      b.add(other.resolve(writeCounterDay(other, T0 + DAY, 1_001_440)));
      try (Querier q = b.querier(T0, T0 + 2 * DAY - 1)) {
        var c = samples(q.select(new SelectHints(T0, T0 + 2 * DAY, 3_600_000, "increase", 3_600_000, false), ALL));
        assertThat(c).hasSize(288 + 8640); // day 1 as 5-minute points, day 2 raw
        for (int i = 1; i < c.size(); i++) {
          assertThat(c.get(i)[1]).as("point %d", i).isGreaterThanOrEqualTo(c.get(i - 1)[1]);
        }
        assertThat(c.get(0)[1]).isEqualTo(1_000_004); // the real counter (no reset in day 1)
        assertThat(c.get(288)[1] - c.get(287)[1]).isEqualTo(1); // rollup end -> first raw sample
      }
    }
  }

  /** What a plain engine's increase() adds up over consecutive samples: each rise, a drop counting as a reset. */
  static double readerIncrease(List<double[]> points) {
    double sum = 0;
    for (int i = 1; i < points.size(); i++) {
      double d = points.get(i)[1] - points.get(i - 1)[1];
      sum += d >= 0 ? d : points.get(i)[1];
    }
    return sum;
  }

  @Test
  void select_rateHint_counterResetInsideAnInterval_addsTheRealIncrease(@TempDir Path other) throws Exception {
    // A counter rising 3 per 10 s from 50,000, reset to 0 at 10:02:30 (mid-interval) and at 17:00:00.
    int n = 8640;
    long[] ts = new long[n];
    double[] vs = new double[n];
    double v = 50_000;
    double real = 0;
    for (int i = 0; i < n; i++) {
      ts[i] = T0 + 10_000L * i;
      double next = i == 0 ? v : i == 3615 || i == 6120 ? 0 : v + 3;
      if (i > 0) {
        real += next >= v ? next - v : next;
      }
      v = next;
      vs[i] = v;
    }
    try (BlockWriter w = BlockWriter.builder(other, T0, T0 + DAY - 1).clock(CLOCK).build()) {
      w.addSeries(Labels.of("__name__", "g"), ts, vs, n);
      w.commit();
    }
    try (Blocks b = Blocks.open(other)) {
      Downsampler.create(b, CLOCK).downsample(b.blocks().get(0), 300_000);
      b.replace(List.of(b.blocks().stream().filter(x -> x.meta().resolution() == 0).findFirst().orElseThrow()), List.of());
      try (Querier q = b.querier(T0, T0 + DAY - 1)) {
        var c = samples(q.select(new SelectHints(T0, T0 + DAY, 3_600_000, "increase", 3_600_000, false), ALL));
        assertThat(c).allSatisfy(p -> assertThat(p[1]).isGreaterThanOrEqualTo(0));
        // The first point's own increase (within its interval) is what the reader cannot see.
        assertThat(readerIncrease(c)).isEqualTo(real - (c.get(0)[1] - 50_000));
        assertThat(c.get(c.size() - 1)[1]).isEqualTo(vs[n - 1]); // meets later raw data without a reset
      }
    }
  }

  @org.junit.jupiter.api.AfterEach
  void tearDown() {
    blocks.close();
  }
}
