package syslens.tsdb.compact;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import syslens.storage.Querier;
import syslens.storage.Series;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;

/**
 * Merges raw blocks into larger ones (docs/format/block.md#compaction), as Prometheus does:
 *
 * <ul>
 *   <li>vertical: raw blocks whose time ranges overlap are merged into one (duplicate timestamps
 *       kept once);
 *   <li>horizontal: for each configured range after the first (default 2 h → 6 h → 24 h),
 *       blocks lying inside one range-aligned window are merged once the window is complete
 *       (the newest block ends at or past the window's end).
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
  private final Clock clock;
  private final ReentrantLock running = new ReentrantLock();

  private Compactor(Blocks blocks, List<Long> ranges, Clock clock) {
    this.blocks = blocks;
    this.ranges = ranges;
    this.clock = clock;
  }

  /** A compactor over {@code blocks} with the given ranges (ascending, each a multiple of the previous). */
  public static Compactor create(Blocks blocks, List<Long> ranges, Clock clock) {
    requireNonNull(blocks, "blocks");
    requireNonNull(ranges, "ranges");
    requireNonNull(clock, "clock");
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
    return new Compactor(blocks, List.copyOf(ranges), clock);
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
    if (!plans.isEmpty() || raw.isEmpty()) {
      return plans; // settle overlaps first: windows are computed on non-overlapping blocks
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
    return plans;
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
