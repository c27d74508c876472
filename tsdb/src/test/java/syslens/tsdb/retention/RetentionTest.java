package syslens.tsdb.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;

/** Retention and downsampling over simulated months with an injected clock. */
class RetentionTest {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_764_028_800_000L;
  @TempDir Path dir;
  final AtomicLong now = new AtomicLong(T0);
  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };

  /** One 24 h raw block for day {@code d}: a counter growing by 1 per minute. */
  String writeDay(int d) throws Exception {
    long start = T0 + d * DAY;
    int n = 1440;
    long[] ts = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = start + 60_000L * i;
      vs[i] = d * 1440.0 + i;
    }
    try (BlockWriter w = BlockWriter.builder(dir, start, start + DAY - 1).clock(clock).build()) {
      w.addSeries(Labels.of("__name__", "c", "host", "a"), ts, vs, n);
      return w.commit().id();
    }
  }

  static long count(List<Block> blocks, long res) {
    return blocks.stream().filter(b -> b.meta().resolution() == res).count();
  }

  @Test
  void run_sixtyDaysOfDailyBlocks_keepsEachTierWithinItsRetention() throws Exception {
    Retention.Settings s = new Retention.Settings(Duration.ofDays(7), Duration.ofDays(30),
        Duration.ofDays(45), 0, Duration.ofHours(24));
    try (Blocks blocks = Blocks.open(dir)) {
      for (int d = 0; d < 60; d++) {
        blocks.add(dir.resolve(writeDay(d)));
        now.set(T0 + (d + 1) * DAY);
        RetentionRunner.Result r = RetentionRunner.create(blocks, clock, s).run();
        assertThat(r.errors()).isEmpty();
        for (Block b : blocks.blocks()) {
          long keep = b.meta().resolution() == 0 ? 7 : b.meta().resolution() == 300_000 ? 30 : 45;
          assertThat(b.meta().maxTime()).as("%s", b).isGreaterThanOrEqualTo(now.get() - keep * DAY);
        }
      }
      List<Block> all = blocks.blocks();
      assertThat(count(all, 0)).isEqualTo(7);
      assertThat(count(all, 300_000)).isEqualTo(30);
      assertThat(count(all, 3_600_000)).isEqualTo(45);
      // Day 40 (raw gone, 5 m kept) at a 1 h step reads 5-minute rollups; day 20 only has 1 h ones.
      long day40 = T0 + 40 * DAY;
      try (Querier q = blocks.querier(day40, day40 + DAY - 1)) {
        SelectHints hints = new SelectHints(day40, day40 + DAY - 1, 3_600_000, "max_over_time", 3_600_000, false);
        List<Series> got = listOf(q.select(hints, List.of(Matcher.equal("__name__", "c"))));
        assertThat(got).hasSize(1);
        SampleIterator it = got.get(0).iterator();
        double max = Double.NaN;
        int points = 0;
        while (it.next()) {
          max = it.value();
          points++;
        }
        assertThat(points).isEqualTo(24 * 12); // 5-minute points
        assertThat(max).isEqualTo(40 * 1440.0 + 1439);
      }
    }
    try (Blocks blocks = Blocks.open(dir)) {
      long day20 = T0 + 20 * DAY;
      try (Querier q = blocks.querier(day20, day20 + DAY - 1)) {
        List<Series> got = listOf(q.select(List.of(Matcher.equal("__name__", "c"))));
        SampleIterator it = got.get(0).iterator();
        int points = 0;
        double last = Double.NaN;
        while (it.next()) {
          points++;
          last = it.value();
        }
        assertThat(points).isEqualTo(24); // without hints: the only tier left, 1 h "last" values
        assertThat(last).isEqualTo(20 * 1440.0 + 1439);
      }
    }
    // Reopening finds the same tiers (nothing left half-done).
    try (Blocks reopened = Blocks.open(dir)) {
      assertThat(reopened.failures()).isEmpty();
      assertThat(reopened.blocks()).hasSize(7 + 30 + 45);
    }
  }

  static List<Series> listOf(Iterable<Series> it) {
    List<Series> out = new java.util.ArrayList<>();
    it.forEach(out::add);
    return out;
  }

  @Test
  void plan_overSizeLimit_deletesOldestFirst() throws Exception {
    for (int d = 0; d < 4; d++) {
      writeDay(d);
    }
    now.set(T0 + 4 * DAY);
    try (Blocks blocks = Blocks.open(dir)) {
      long one = blocks.blocks().get(0).meta().stats().numBytes();
      Retention.Settings s = new Retention.Settings(Duration.ofDays(7), Duration.ofDays(30),
          Duration.ofDays(730), 2 * one + one / 2, Duration.ofDays(365));
      List<Retention.Action> actions = Retention.plan(blocks.blocks(), clock, s);
      assertThat(actions).extracting(Retention.Action::kind).containsOnly(Retention.Kind.DELETE);
      assertThat(actions).extracting(a -> a.block().meta().minTime()).containsExactly(T0, T0 + DAY);
      assertThat(actions.get(0).reason()).contains("size");
    }
  }

  @Test
  void plan_freshBlocks_nothingToDo() throws Exception {
    writeDay(0);
    now.set(T0 + DAY);
    try (Blocks blocks = Blocks.open(dir)) {
      Retention.Settings s = new Retention.Settings(Duration.ofDays(7), Duration.ofDays(30),
          Duration.ofDays(730), 0, Duration.ofDays(2));
      assertThat(Retention.plan(blocks.blocks(), clock, s)).isEmpty();
    }
  }
}
