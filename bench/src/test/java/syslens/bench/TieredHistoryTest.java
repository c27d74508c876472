package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.retention.Retention;

/**
 * The bench's fast history holds what the engine would: per day, the tiers the default retention
 * keeps, with the same rollup points the engine's downsampler makes of the raw samples.
 */
class TieredHistoryTest {
  static final long DAY = 86_400_000L;
  static final long END = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
  static final int DAYS = 8;
  /** Short tiers, so eight days cross every boundary: raw 2 days, 5 minutes 4, 1 hour 6 (the oldest 2 days go). */
  static final Retention.Settings TIERS = new Retention.Settings(java.time.Duration.ofDays(2), java.time.Duration.ofDays(4),
      java.time.Duration.ofDays(6), 0, java.time.Duration.ofHours(24));
  static final long START = END - DAYS * DAY;
  static final long INTERVAL = 7 * 60_000L;
  static final List<Labels> LABELS = List.of(Labels.of("__name__", "gauge", "vm", "b"),
      Labels.of("__name__", "gauge", "vm", "a"), Labels.of("__name__", "counter", "vm", "a"));

  /** A gauge and a counter with a reset every 3 days, samples every 7 minutes. */
  static int samples(int series, long from, long to, long[] ts, double[] vs) {
    int n = 0;
    for (long t = START + Math.max(0, Math.floorDiv(from - START + INTERVAL - 1, INTERVAL)) * INTERVAL; t < to; t += INTERVAL) {
      long k = (t - START) / INTERVAL;
      ts[n] = t;
      vs[n++] = series == 2 ? (k % (3 * 24 * 60 / 7)) * 1.5 : Math.sin(k / 11.0) * (series + 1) + (k % 13);
    }
    return n;
  }

  /** resolution -> day start -> series -> points, of every block under {@code dir}. */
  static Map<Long, Map<Long, Map<Labels, RollupChunk.Points>>> rollups(Path dir) throws Exception {
    Map<Long, Map<Long, Map<Labels, RollupChunk.Points>>> out = new TreeMap<>();
    try (Blocks blocks = Blocks.open(dir)) {
      for (Block b : blocks.blocks()) {
        Map<Labels, RollupChunk.Points> series = out.computeIfAbsent(b.meta().resolution(), r -> new TreeMap<>())
            .computeIfAbsent(b.meta().minTime(), t -> new TreeMap<>());
        if (b.meta().isRollup()) {
          for (Block.RollupSeries rs : b.selectRollups(List.of(), b.meta().minTime(), b.meta().maxTime())) {
            series.put(rs.labels(), rs.points());
          }
        }
      }
    }
    return out;
  }

  static void assertSamePoints(RollupChunk.Points got, RollupChunk.Points want) {
    assertThat(got.timestamps()).containsExactly(want.timestamps());
    for (RollupChunk.Column c : RollupChunk.Column.values()) {
      assertThat(got.column(c)).as(c.name()).containsExactly(want.column(c));
    }
  }

  @Test
  void write_eightDays_tiersAsRetentionKeepsThemWithTheDownsamplersPoints(@TempDir Path dir) throws Exception {
    int perDay = (int) (DAY / INTERVAL) + 1;
    TieredHistory.Result r = TieredHistory.write(dir.resolve("fast"), LABELS, TieredHistoryTest::samples, START, END,
        perDay, TIERS, 2);
    assertThat(r).isEqualTo(new TieredHistory.Result(2, 4, 6));

    // The engine's way, every day: a raw block, downsampled to 5 minutes, then to 1 hour.
    Path engine = dir.resolve("engine");
    Clock clock = Clock.fixed(Instant.ofEpochMilli(END), ZoneOffset.UTC);
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
    order.sort((x, y) -> LABELS.get(x).compareTo(LABELS.get(y)));
    long[] ts = new long[perDay];
    double[] vs = new double[perDay];
    try (Blocks blocks = Blocks.open(engine)) {
      for (long day = START; day < END; day += DAY) {
        String id;
        try (BlockWriter w = BlockWriter.builder(engine, day, day + DAY - 1).clock(clock).build()) {
          for (int i : order) {
            w.addSeries(LABELS.get(i), ts, vs, samples(i, day, day + DAY, ts, vs));
          }
          id = w.commit().id();
        }
        Block raw = blocks.add(engine.resolve(id));
        Downsampler down = Downsampler.create(blocks, clock);
        String five = down.downsample(raw, Retention.FIVE_MINUTES).id();
        down.downsample(blocks.blocks().stream().filter(b -> b.meta().id().equals(five)).findFirst().orElseThrow(),
            Retention.ONE_HOUR);
      }
    }
    Map<Long, Map<Long, Map<Labels, RollupChunk.Points>>> fast = rollups(dir.resolve("fast"));
    Map<Long, Map<Long, Map<Labels, RollupChunk.Points>>> want = rollups(engine);
    assertThat(fast.get(0L).keySet()).as("raw days").hasSize(2).allMatch(d -> d >= END - 2 * DAY);
    assertThat(fast.get(Retention.FIVE_MINUTES).keySet()).as("5-minute days").hasSize(4).allMatch(d -> d >= END - 4 * DAY);
    assertThat(fast.get(Retention.ONE_HOUR).keySet()).as("1-hour days").hasSize(6).allMatch(d -> d >= END - 6 * DAY);
    for (long res : List.of(Retention.FIVE_MINUTES, Retention.ONE_HOUR)) {
      fast.get(res).forEach((day, series) -> {
        assertThat(series.keySet()).containsExactlyElementsOf(want.get(res).get(day).keySet());
        series.forEach((l, p) -> assertSamePoints(p, want.get(res).get(day).get(l)));
      });
    }
  }
}
