package syslens.tsdb.compact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.retention.Retention;

/**
 * Rollup tiers are merged into long blocks and queries answer the same before and after, whichever
 * tier they read, including a long 1-hour block read beside the newer days' 5-minute blocks. The
 * windows are 2 days (5 min) and 3 then 6 days (1 h) here instead of the default 7 and 6 then 30,
 * so that a few days of blocks show every case.
 */
class RollupCompactionTest {
  static final long DAY = 86_400_000L;
  static final long FIVE = Retention.FIVE_MINUTES;
  static final long HOUR = Retention.ONE_HOUR;
  static final Map<Long, List<Long>> WINDOWS = Map.of(FIVE, List.of(2 * DAY), HOUR, List.of(3 * DAY, 6 * DAY));
  /** Aligned to both windows, so they are days 0-1, 2-3, 4-5, 6-7 and 0-5, 6-11. */
  static final long T0 = Math.floorDiv(1_764_028_800_000L, 6 * DAY) * 6 * DAY;
  static final int DAYS = 7;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + DAYS * DAY), ZoneOffset.UTC);
  static final List<Matcher> ALL = List.of(Matcher.regex("__name__", "c|g"));

  @TempDir Path dir;
  Blocks blocks;

  @BeforeEach
  void setUp() throws Exception {
    blocks = Blocks.open(dir);
    Downsampler down = Downsampler.create(blocks, CLOCK);
    for (int d = 0; d < DAYS; d++) {
      long start = T0 + d * DAY;
      Block raw = blocks.add(dir.resolve(writeDay(start, d)));
      Block five = byId(down.downsample(raw, FIVE).id());
      down.downsample(five, HOUR);
    }
  }

  @AfterEach
  void tearDown() {
    blocks.close();
  }

  /** One day at 1-minute samples: a counter that resets on day 3 and two gauges. */
  String writeDay(long start, int day) throws Exception {
    int n = 1440;
    long[] ts = new long[n];
    double[] vs = new double[n];
    try (BlockWriter w = BlockWriter.builder(dir, start, start + DAY - 1).clock(CLOCK).build()) {
      for (int i = 0; i < n; i++) {
        ts[i] = start + 60_000L * i + 7_000;
        long k = (long) day * n + i;
        vs[i] = day >= 3 ? (k - 3L * n) * 2.5 : k * 2.5;
      }
      w.addSeries(Labels.of("__name__", "c", "host", "a"), ts, vs, n);
      for (String host : List.of("a", "b")) {
        for (int i = 0; i < n; i++) {
          vs[i] = Math.sin((day * n + i) / 97.0) * 40 + 50 + (host.equals("b") ? 3 : 0);
        }
        w.addSeries(Labels.of("__name__", "g", "host", host), ts, vs, n);
      }
      return w.commit().id();
    }
  }

  Block byId(String id) {
    return blocks.blocks().stream().filter(b -> b.meta().id().equals(id)).findFirst().orElseThrow();
  }

  Compactor compactor() {
    return Compactor.create(blocks, Compactor.DEFAULT_RANGES, WINDOWS, CLOCK);
  }

  List<Block> tier(long res) {
    return blocks.blocks().stream().filter(b -> b.meta().resolution() == res).toList();
  }

  /** Every series' points (labels, timestamp, value; for increase the rise per point) for each function at a step that reads tier {@code step / 5}. */
  List<String> answers(long step) {
    List<String> out = new ArrayList<>();
    long mint = T0;
    long maxt = T0 + DAYS * DAY - 1;
    try (Querier q = blocks.querier(mint, maxt)) {
      for (String f : List.of("max_over_time", "min_over_time", "avg_over_time", "count_over_time", "increase")) {
        List<Matcher> which = f.equals("increase") ? List.of(Matcher.equal("__name__", "c")) : ALL;
        for (Series s : q.select(new SelectHints(mint, maxt, step, f, step, false), which)) {
          SampleIterator it = s.iterator();
          double prev = Double.NaN;
          while (it.next()) {
            double v = it.value();
            if (!f.equals("increase")) {
              out.add(f + " " + s.labels() + " " + it.timestamp() + " " + v);
            } else if (!Double.isNaN(prev)) {
              // What rate() and increase() take from the rebuilt counter: each step's rise, a drop
              // counting as a reset (its absolute level is anchored per block, so it may differ).
              out.add(f + " " + s.labels() + " " + it.timestamp() + " " + (v >= prev ? v - prev : v));
            }
            prev = v;
          }
        }
      }
    }
    return out;
  }

  /**
   * Equal lists (values to 1e-9 relative: a rebuilt counter is summed in another order), or the
   * first difference with its neighbours (the lists are long).
   */
  static void assertSameAnswers(List<String> actual, List<String> expected) {
    int n = Math.min(actual.size(), expected.size());
    for (int i = 0; i < n; i++) {
      String a = actual.get(i);
      String e = expected.get(i);
      int ka = a.lastIndexOf(' ');
      int ke = e.lastIndexOf(' ');
      double va = Double.parseDouble(a.substring(ka + 1));
      double ve = Double.parseDouble(e.substring(ke + 1));
      boolean close = va == ve || Math.abs(va - ve) <= 1e-9 * Math.max(Math.abs(va), Math.abs(ve));
      if (!a.substring(0, ka).equals(e.substring(0, ke)) || !close) {
        assertThat(actual.subList(i, Math.min(n, i + 3))).as("from answer %d of %d / %d", i, actual.size(),
            expected.size()).isEqualTo(expected.subList(i, Math.min(n, i + 3)));
      }
    }
    assertThat(actual.size()).as("answers").isEqualTo(expected.size());
  }

  @Test
  void compactAll_mergesRollupWindows_sameAnswersFromEveryTier() throws Exception {
    List<String> hourTier = answers(DAY); // 5 * 1 h <= 1 day: the 1-hour tier
    List<String> fiveTier = answers(HOUR); // the 5-minute tier
    assertThat(hourTier).isNotEmpty();
    assertThat(tier(HOUR)).hasSize(DAYS);
    assertThat(tier(FIVE)).hasSize(DAYS);

    compactor().compactAll();

    // 1 h: days 0-5 in one block, day 6 alone (its window is not complete).
    assertThat(tier(HOUR)).extracting(b -> (b.meta().maxTime() - b.meta().minTime() + 1) / DAY)
        .containsExactlyInAnyOrder(6L, 1L);
    // 5 min: three complete windows merged, day 6 left (its window ends with day 7).
    assertThat(tier(FIVE)).extracting(b -> (b.meta().maxTime() - b.meta().minTime() + 1) / DAY)
        .containsExactlyInAnyOrder(2L, 2L, 2L, 1L);
    assertThat(tier(0)).hasSize(DAYS); // raw day blocks are the raw compactor's business
    assertSameAnswers(answers(DAY), hourTier);
    assertSameAnswers(answers(HOUR), fiveTier);
    // Nothing for the downsampler to redo: every merged 5-minute block's 1-hour rollup is there.
    assertThat(Retention.plan(blocks.blocks(), CLOCK, Retention.Settings.defaults()))
        .noneMatch(a -> a.kind() == Retention.Kind.DOWNSAMPLE);
    assertThat(compactor().plan()).isEmpty();
  }

  @Test
  void query_longHourBlockBesideNewerFiveMinuteDays_readsEachTimeOnce() throws Exception {
    // Retention dropped the raw tier and the first 4 days of 5-minute rollups.
    List<Block> drop = new ArrayList<>(tier(0));
    drop.addAll(tier(FIVE).stream().filter(b -> b.meta().minTime() < T0 + 4 * DAY).toList());
    blocks.replace(drop, List.of());
    List<String> before = answers(HOUR); // days 0-3 from 1-hour blocks, 4-6 from 5-minute ones
    assertThat(before).anyMatch(s -> s.startsWith("count_over_time") && s.endsWith(" 60.0"))
        .anyMatch(s -> s.startsWith("count_over_time") && s.endsWith(" 5.0"));

    compactor().compactAll();

    assertThat(tier(HOUR)).anyMatch(b -> b.meta().maxTime() - b.meta().minTime() + 1 == 6 * DAY);
    assertSameAnswers(answers(HOUR), before); // the 6-day block answers days 0-3 only
  }

  @Test
  void plan_fiveMinuteBlockWithoutItsHourRollup_waits() throws Exception {
    // Day 2's 1-hour rollup is missing (the downsampler has not run yet): days 2-3 stay as they are.
    blocks.replace(tier(HOUR).stream().filter(b -> b.meta().minTime() == T0 + 2 * DAY).toList(), List.of());

    compactor().compactAll();

    assertThat(tier(FIVE)).filteredOn(b -> b.meta().minTime() >= T0 + 2 * DAY && b.meta().minTime() < T0 + 4 * DAY)
        .hasSize(2);
    assertThat(tier(FIVE)).filteredOn(b -> b.meta().minTime() == T0)
        .singleElement().matches(b -> b.meta().maxTime() == T0 + 2 * DAY - 1);
  }

  @Test
  void open_afterMerge_keepsOnlyTheMergedBlocks() throws Exception {
    List<String> hourTier = answers(DAY);
    Compactor.create(blocks, Compactor.DEFAULT_RANGES, Map.of(HOUR, List.of(6 * DAY)), CLOCK).compactAll();
    assertThat(tier(FIVE)).hasSize(DAYS); // not listed: never merged
    blocks.close();

    blocks = Blocks.open(dir);

    assertThat(tier(HOUR)).hasSize(2);
    assertSameAnswers(answers(DAY), hourTier);
  }
}
