package syslens.tsdb.compact;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import syslens.storage.Labels;
import syslens.storage.Querier;
import syslens.storage.Series;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.retention.Retention;

/**
 * Merges raw blocks into larger ones (docs/format/block.md#compaction), as Prometheus does:
 *
 * <ul>
 *   <li>vertical: raw blocks whose time ranges overlap are merged into one (duplicate timestamps
 *       kept once);
 *   <li>horizontal: for each configured range after the first (default 2 h → 6 h → 24 h),
 *       blocks lying inside one range-aligned window are merged once the window is complete
 *       (the newest block ends at or past the window's end);
 *   <li>rollup tiers: 5-minute rollup blocks (one per day, from the downsampler) are merged into
 *       7-day blocks and 1-hour rollup blocks into 6-day, then 30-day blocks, by the same window
 *       rule, so that two years of history is about 35 blocks instead of 730 and a long query
 *       opens, looks up and merges that many (docs/format/block.md#compaction). A 5-minute block is merged only
 *       once its 1-hour rollup exists, so the downsampler never sees a merged block whose parts it
 *       already rolled up. Points are decoded and re-encoded as one rollup chunk per series.
 * </ul>
 *
 * <p>{@link #compact(Plan)} writes the new block to a temporary directory, fsyncs and renames it,
 * then swaps it into {@link Blocks} in one copy-on-write step; the sources are deleted only after
 * that, and only when their last reader closes. No lock is held that ingest or queries wait on;
 * compactions themselves run one at a time.
 */
public final class Compactor {
  /** Default block ranges in ms: 2 h, 6 h, 24 h (raw blocks then downsample per day). */
  public static final List<Long> DEFAULT_RANGES = List.of(
      7_200_000L, 21_600_000L, 86_400_000L);

  /**
   * Default rollup block ranges in ms per resolution: 5 min → 7 days; 1 h → 6 days, then 30 days
   * (so the month still filling is 6-day blocks and at most 5 days, not up to 29 day blocks).
   */
  public static final Map<Long, List<Long>> DEFAULT_ROLLUP_RANGES = Map.of(
      Retention.FIVE_MINUTES, List.of(7 * 86_400_000L),
      Retention.ONE_HOUR, List.of(6 * 86_400_000L, 30 * 86_400_000L));

  /** A group of blocks to merge, and whether their ranges overlap. */
  public record Plan(List<Block> sources, boolean vertical) {
    public Plan {
      sources = List.copyOf(sources);
    }

    public long minTime() {
      return sources.stream().mapToLong(b -> b.meta().minTime()).min().orElseThrow();
    }

    public long maxTime() {
      return sources.stream().mapToLong(b -> b.meta().maxTime()).max().orElseThrow();
    }
  }

  private final Blocks blocks;
  private final List<Long> ranges;
  private final Map<Long, List<Long>> rollupRanges;
  private final Clock clock;
  private final ReentrantLock running = new ReentrantLock();

  private Compactor(Blocks blocks, List<Long> ranges, Map<Long, List<Long>> rollupRanges, Clock clock) {
    this.blocks = blocks;
    this.ranges = ranges;
    this.rollupRanges = rollupRanges;
    this.clock = clock;
  }

  /** A compactor over {@code blocks} with the given ranges (ascending, each a multiple of the previous). */
  public static Compactor create(Blocks blocks, List<Long> ranges, Clock clock) {
    return create(blocks, ranges, DEFAULT_ROLLUP_RANGES, clock);
  }

  /**
   * A compactor over {@code blocks} with the given raw ranges (ascending, each a multiple of the
   * previous) and rollup ranges (resolution → block ranges in ms, ascending, each a multiple of
   * one day and of the previous; a resolution not listed is never merged).
   */
  public static Compactor create(Blocks blocks, List<Long> ranges, Map<Long, List<Long>> rollupRanges, Clock clock) {
    requireNonNull(blocks, "blocks");
    requireNonNull(ranges, "ranges");
    requireNonNull(rollupRanges, "rollupRanges");
    requireNonNull(clock, "clock");
    for (var e : rollupRanges.entrySet()) {
      long prev = 86_400_000L;
      boolean ok = e.getKey() > 0 && !e.getValue().isEmpty();
      for (long r : e.getValue()) {
        ok &= r >= prev && r % prev == 0;
        prev = r;
      }
      if (!ok) {
        throw new IllegalArgumentException("rollupRanges: " + rollupRanges
            + " (expected: positive resolutions, ascending ranges, each a multiple of one day and of the previous)");
      }
    }
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("ranges: empty (expected: at least one block range)");
    }
    for (int i = 0; i < ranges.size(); i++) {
      long r = ranges.get(i);
      if (r <= 0 || (i > 0 && (r <= ranges.get(i - 1) || r % ranges.get(i - 1) != 0))) {
        throw new IllegalArgumentException("ranges: " + ranges
            + " (expected: positive, ascending, each a multiple of the previous)");
      }
    }
    TreeMap<Long, List<Long>> rollups = new TreeMap<>();
    rollupRanges.forEach((res, r) -> rollups.put(res, List.copyOf(r)));
    return new Compactor(blocks, List.copyOf(ranges), rollups, clock);
  }

  public static Compactor create(Blocks blocks, Clock clock) {
    return create(blocks, DEFAULT_RANGES, clock);
  }

  /** What to compact now, most urgent first (overlaps, then the smallest ranges). */
  public List<Plan> plan() {
    List<Block> raw = new ArrayList<>();
    for (Block b : blocks.blocks()) {
      if (b.meta().resolution() == 0) {
        raw.add(b);
      }
    }
    raw.sort(Comparator.comparingLong(b -> b.meta().minTime()));
    List<Plan> plans = new ArrayList<>();
    // Vertical: chains of overlapping blocks.
    Set<Block> overlapping = new HashSet<>();
    List<Block> group = new ArrayList<>();
    long groupMax = Long.MIN_VALUE;
    for (Block b : raw) {
      if (!group.isEmpty() && b.meta().minTime() <= groupMax) {
        group.add(b);
      } else {
        if (group.size() > 1) {
          plans.add(new Plan(group, true));
          overlapping.addAll(group);
        }
        group = new ArrayList<>(List.of(b));
        groupMax = Long.MIN_VALUE;
      }
      groupMax = Math.max(groupMax, b.meta().maxTime());
    }
    if (group.size() > 1) {
      plans.add(new Plan(group, true));
      overlapping.addAll(group);
    }
    if (!plans.isEmpty()) {
      return plans; // settle overlaps first: windows are computed on non-overlapping blocks
    }
    if (raw.isEmpty()) {
      return planRollups();
    }
    long newest = raw.get(raw.size() - 1).meta().maxTime();
    for (int i = 1; i < ranges.size(); i++) {
      long range = ranges.get(i);
      TreeMap<Long, List<Block>> windows = new TreeMap<>();
      for (Block b : raw) {
        long start = Math.floorDiv(b.meta().minTime(), range) * range;
        if (b.meta().maxTime() < start + range) { // fits the window entirely
          windows.computeIfAbsent(start, k -> new ArrayList<>()).add(b);
        }
      }
      for (var w : windows.entrySet()) {
        long end = w.getKey() + range - 1;
        if (w.getValue().size() > 1 && newest >= end) {
          plans.add(new Plan(w.getValue(), false));
        }
      }
      if (!plans.isEmpty()) {
        return plans;
      }
    }
    return planRollups();
  }

  /**
   * Rollup windows to merge: per listed resolution and range (smallest first), complete
   * range-aligned windows holding more than one block, none overlapping another, each 5-minute
   * block already rolled up to 1 hour.
   */
  private List<Plan> planRollups() {
    List<Plan> plans = new ArrayList<>();
    for (var tier : rollupRanges.entrySet()) {
      for (long range : tier.getValue()) {
        plans.addAll(planRollups(tier.getKey(), range));
        if (!plans.isEmpty()) {
          return plans;
        }
      }
    }
    return plans;
  }

  private List<Plan> planRollups(long res, long range) {
    List<Plan> plans = new ArrayList<>();
    List<Block> all = blocks.blocks();
    List<Block> mine = new ArrayList<>();
    long newest = Long.MIN_VALUE;
    for (Block b : all) {
      if (b.meta().resolution() == res) {
        mine.add(b);
        newest = Math.max(newest, b.meta().maxTime());
      }
    }
    long next = Retention.nextResolution(res);
    TreeMap<Long, List<Block>> windows = new TreeMap<>();
    Set<Long> unready = new HashSet<>();
    for (Block b : mine) {
      long start = Math.floorDiv(b.meta().minTime(), range) * range;
      if (b.meta().maxTime() >= start + range) {
        continue; // already spans a window (or more)
      }
      windows.computeIfAbsent(start, k -> new ArrayList<>()).add(b);
      if (next > 0 && !Retention.derivedExists(all, b, next)) {
        unready.add(start);
      }
    }
    for (var w : windows.entrySet()) {
      List<Block> group = w.getValue();
      group.sort(Comparator.comparingLong(b -> b.meta().minTime()));
      if (group.size() > 1 && newest >= w.getKey() + range - 1 && !unready.contains(w.getKey())
          && !overlapping(group)) {
        plans.add(new Plan(group, false));
      }
    }
    return plans;
  }

  private static boolean overlapping(List<Block> byMinTime) {
    for (int i = 1; i < byMinTime.size(); i++) {
      if (byMinTime.get(i).meta().minTime() <= byMinTime.get(i - 1).meta().maxTime()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs one plan: writes the merged block, swaps it in for the sources, and schedules the
   * sources' deletion (after their last reader). Returns the new block's meta.
   *
   * @throws IOException when writing fails; the sources are then left untouched
   */
  public BlockMeta compact(Plan plan) throws IOException {
    requireNonNull(plan, "plan");
    running.lock();
    try {
      for (Block b : plan.sources()) {
        if (!blocks.blocks().contains(b)) {
          throw new IllegalStateException("block " + b.meta().id() + " is no longer open (expected: a plan from plan())");
        }
      }
      Set<String> sources = new LinkedHashSet<>();
      int level = 0;
      for (Block b : plan.sources()) {
        sources.addAll(b.meta().compaction().sources());
        level = Math.max(level, b.meta().compaction().level());
      }
      BlockMeta meta;
      if (plan.sources().get(0).meta().isRollup()) {
        meta = mergeRollups(plan, level + 1, List.copyOf(sources));
        Block added = Block.open(blocks.dir().resolve(meta.id()));
        blocks.replace(plan.sources(), List.of(added));
        return meta;
      }
      List<Querier> parts = new ArrayList<>();
      try {
        for (Block b : plan.sources()) {
          parts.add(b.querier(plan.minTime(), plan.maxTime()));
        }
        try (Querier merged = syslens.tsdb.block.MergingQuerier.of(parts);
             BlockWriter w = BlockWriter.builder(blocks.dir(), plan.minTime(), plan.maxTime())
                 .level(level + 1).sources(List.copyOf(sources)).clock(clock).build()) {
          parts = List.of(); // owned by merged now
          for (Series s : merged.select(List.of())) {
            w.addSeries(s.labels(), s.iterator());
          }
          meta = w.commit();
        }
      } finally {
        for (Querier q : parts) {
          q.close();
        }
      }
      Block added = Block.open(blocks.dir().resolve(meta.id()));
      blocks.replace(plan.sources(), List.of(added));
      return meta;
    } finally {
      running.unlock();
    }
  }

  /**
   * Writes the rollup blocks of one plan (same resolution, not overlapping) as one block: the
   * series of all sources merged in label order, each series' points concatenated in time order
   * into one rollup chunk. Streams one series at a time.
   */
  private BlockMeta mergeRollups(Plan plan, int level, List<String> sources) throws IOException {
    List<Block> srcs = new ArrayList<>(plan.sources());
    srcs.sort(Comparator.comparingLong(b -> b.meta().minTime()));
    long res = srcs.get(0).meta().resolution();
    for (Block b : srcs) {
      if (b.meta().resolution() != res) {
        throw new IllegalArgumentException("plan: resolutions " + b.meta().resolution() + " and " + res
            + " (expected: one tier per plan)");
      }
    }
    List<Querier> held = new ArrayList<>();
    try {
      // Each cursor is one source's series in label order; ties are taken in time order.
      PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> {
        int c = a.head.labels().compareTo(b.head.labels());
        return c != 0 ? c : Integer.compare(a.order, b.order);
      });
      for (int i = 0; i < srcs.size(); i++) {
        Block b = srcs.get(i);
        held.add(b.querier(b.meta().minTime(), b.meta().maxTime())); // pins the block while read
        Cursor c = new Cursor(i, b.rollupSeries(b.meta().minTime(), b.meta().maxTime()));
        if (c.advance()) {
          queue.add(c);
        }
      }
      try (BlockWriter w = BlockWriter.builder(blocks.dir(), plan.minTime(), plan.maxTime())
          .resolution(res).level(level).sources(sources).clock(clock).build()) {
        List<RollupChunk.Points> parts = new ArrayList<>();
        while (!queue.isEmpty()) {
          Labels labels = queue.peek().head.labels();
          parts.clear();
          while (!queue.isEmpty() && queue.peek().head.labels().equals(labels)) {
            Cursor c = queue.poll();
            parts.add(c.head.points());
            if (c.advance()) {
              queue.add(c);
            }
          }
          Downsampler.addRollupSeries(w, labels, concat(parts));
        }
        return w.commit();
      }
    } finally {
      for (Querier q : held) {
        q.close();
      }
    }
  }

  /**
   * One series' points from consecutive blocks, in time order. Each block was rolled up on its
   * own, so the first point's reset-aware increase misses the rise from the previous block's last
   * sample to the block's first one; a reader of separate blocks recovers it from the blocks'
   * last values, and so must the merged block: the first point of each later part gets
   * {@code last - previous last} (or {@code last} after a drop, a counter reset), never less
   * than the increase it had.
   */
  static RollupChunk.Points concat(List<RollupChunk.Points> parts) {
    RollupChunk.Points p = RollupChunk.slice(parts, Long.MIN_VALUE, Long.MAX_VALUE);
    double[] inc = p.column(RollupChunk.Column.INCREASE);
    double[] last = p.column(RollupChunk.Column.LAST);
    int at = 0;
    for (int k = 0; k < parts.size(); k++) {
      int n = parts.get(k).size();
      if (k > 0 && n > 0 && at > 0) {
        double prev = last[at - 1];
        double now = last[at];
        if (!Double.isNaN(prev) && !Double.isNaN(now) && !Double.isNaN(inc[at])) {
          inc[at] = Math.max(inc[at], now >= prev ? now - prev : now);
        }
      }
      at += n;
    }
    return p;
  }

  /** One source block's rollup series, positioned at {@link #head}. */
  private static final class Cursor {
    final int order;
    final Iterator<Block.RollupSeries> it;
    Block.RollupSeries head;

    Cursor(int order, Iterator<Block.RollupSeries> it) {
      this.order = order;
      this.it = it;
    }

    boolean advance() {
      head = it.hasNext() ? it.next() : null;
      return head != null;
    }
  }

  /** Plans and compacts until nothing is left to do; returns the blocks written. */
  public List<BlockMeta> compactAll() throws IOException {
    List<BlockMeta> out = new ArrayList<>();
    for (int guard = 0; guard < 10_000; guard++) {
      List<Plan> plans = plan();
      if (plans.isEmpty()) {
        break;
      }
      out.add(compact(plans.get(0)));
    }
    return out;
  }
}
