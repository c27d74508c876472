package syslens.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import syslens.storage.Labels;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockId;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.compact.Compactor;
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.retention.Retention;
import syslens.tsdb.rollup.Rollups;

/**
 * Writes a long synthetic history as the blocks a server holds at its end, without pushing every
 * raw sample through the head and the WAL. Per 24-hour block range (the compactor's largest, what
 * the head's 2-hour cuts end up as) it keeps what the default retention keeps at the end: raw for
 * the last 7 days, 5-minute rollups for the last 30, 1-hour rollups for the whole period. Days
 * whose raw block is kept are written as one raw block that the engine's own {@link Downsampler}
 * turns into its 5-minute and then 1-hour blocks (same range, level and sources, as the retention
 * runner does). Older days, whose raw block a server has deleted, get their rollups computed from
 * the raw samples in memory by the same functions ({@link Rollups#fromRaw} at 5 minutes, then
 * {@link Rollups#fromRollups} at 1 hour) and written as rollup blocks, so the raw samples are
 * never encoded and read back. The newest, incomplete day stays raw only (a server downsamples a
 * block once it spans 24 hours). Days are prepared on {@code threads} threads.
 */
final class TieredHistory {
  static final long DAY = Compactor.DEFAULT_RANGES.get(Compactor.DEFAULT_RANGES.size() - 1);

  /** The samples of one series over [from, to): timestamps and values, {@code n} of them. */
  interface Source {
    /** Fills {@code ts}/{@code vs} (sized for the day) with series {@code i}'s samples in [from, to); returns n. */
    int samples(int i, long from, long to, long[] ts, double[] vs);
  }

  /** Blocks written per tier. */
  record Result(int raw, int fiveMinutes, int oneHour) {}

  private TieredHistory() {}

  /**
   * Writes series {@code labels} (any order) over [start, end) into {@code blocksDir}, keeping
   * what {@code retention} keeps at time {@code end}; {@code maxSamplesPerDay} bounds one
   * series' samples in a day.
   */
  static Result write(Path blocksDir, List<Labels> labels, Source source, long start, long end,
      int maxSamplesPerDay, Retention.Settings retention, int threads) throws Exception {
    requireNonNull(blocksDir, "blocksDir");
    Files.createDirectories(blocksDir);
    // Block writers take series in label order.
    Integer[] order = new Integer[labels.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> labels.get(a).compareTo(labels.get(b)));
    Clock clock = Clock.fixed(Instant.ofEpochMilli(end), ZoneOffset.UTC);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    List<Future<int[]>> days = new ArrayList<>();
    try {
      for (long day = Math.floorDiv(start, DAY) * DAY; day < end; day += DAY) {
        long from = Math.max(start, day);
        long to = Math.min(end, day + DAY); // exclusive
        days.add(pool.submit(() -> day(blocksDir, labels, order, source, from, to, to - from == DAY || from == start,
            end, maxSamplesPerDay, retention, clock)));
      }
      int[] sum = new int[3];
      for (Future<int[]> f : days) {
        int[] n = f.get();
        for (int k = 0; k < 3; k++) {
          sum[k] += n[k];
        }
      }
      return new Result(sum[0], sum[1], sum[2]);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One day: raw block, its rollups, and whichever of them retention keeps; returns blocks kept per tier. */
  private static int[] day(Path blocksDir, List<Labels> labels, Integer[] order, Source source, long from, long to,
      boolean complete, long now, int maxSamples, Retention.Settings retention, Clock clock) throws IOException {
    long maxTime = to - 1;
    long[] ts = new long[maxSamples];
    double[] vs = new double[maxSamples];
    boolean keepRaw = maxTime >= now - retention.raw().toMillis() || !complete;
    boolean keepFive = complete && maxTime >= now - retention.fiveMinutes().toMillis();
    boolean keepHour = complete && maxTime >= now - retention.oneHour().toMillis();
    int[] kept = {keepRaw ? 1 : 0, keepFive ? 1 : 0, keepHour ? 1 : 0};
    if (!keepRaw) {
      // The raw block is gone at the end of the period: compute the rollups the downsampler made of
      // it (raw → 5 min → 1 h, the same functions) without writing and reading it back.
      List<String> sources = List.of(BlockId.next(now));
      try (BlockWriter five = keepFive ? rollupWriter(blocksDir, from, maxTime, Retention.FIVE_MINUTES, sources, clock) : null;
          BlockWriter hour = keepHour ? rollupWriter(blocksDir, from, maxTime, Retention.ONE_HOUR, sources, clock) : null) {
        for (int i : order) {
          RollupChunk.Points p5 = Rollups.fromRaw(ts, vs, source.samples(i, from, to, ts, vs), Retention.FIVE_MINUTES);
          if (five != null) {
            Downsampler.addRollupSeries(five, labels.get(i), p5);
          }
          if (hour != null) {
            Downsampler.addRollupSeries(hour, labels.get(i), Rollups.fromRollups(p5, Retention.ONE_HOUR));
          }
        }
        if (five != null) {
          five.commit();
        }
        if (hour != null) {
          hour.commit();
        }
      }
      return kept;
    }
    // A raw block kept: written, then downsampled by the engine, in a staging directory.
    Path staging = blocksDir.resolveSibling("staging-" + from);
    List<Path> keep = new ArrayList<>();
    try (Blocks blocks = Blocks.open(staging, false)) {
      String rawId;
      try (BlockWriter w = BlockWriter.builder(staging, from, maxTime).clock(clock).build()) {
        for (int i : order) {
          w.addSeries(labels.get(i), ts, vs, source.samples(i, from, to, ts, vs));
        }
        rawId = w.commit().id();
      }
      keep.add(staging.resolve(rawId));
      Block raw = blocks.add(staging.resolve(rawId));
      if (complete) {
        Downsampler down = Downsampler.create(blocks, clock);
        BlockMeta five = down.downsample(raw, Retention.FIVE_MINUTES);
        Block fiveBlock = blocks.blocks().stream().filter(b -> b.meta().id().equals(five.id())).findFirst()
            .orElseThrow();
        BlockMeta hour = down.downsample(fiveBlock, Retention.ONE_HOUR);
        if (keepFive) {
          keep.add(staging.resolve(five.id()));
        }
        if (keepHour) {
          keep.add(staging.resolve(hour.id()));
        }
      }
    }
    for (Path p : keep) {
      Files.move(p, blocksDir.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
    Blocks.deleteRecursively(staging);
    return kept;
  }

  private static BlockWriter rollupWriter(Path dir, long minTime, long maxTime, long resolution, List<String> sources,
      Clock clock) throws IOException {
    return BlockWriter.builder(dir, minTime, maxTime).resolution(resolution).sources(sources).clock(clock).build();
  }
}
