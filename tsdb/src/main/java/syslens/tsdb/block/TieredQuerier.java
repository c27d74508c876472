package syslens.tsdb.block;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SelectHints;
import syslens.storage.SeriesSet;
import syslens.tsdb.rollup.RollupFunctions;

/**
 * Reads blocks of every tier over [mint, maxt], choosing per select which tier answers each part
 * of the time range (docs/format/block.md#tiers):
 *
 * <ol>
 *   <li>Allowed tiers: raw only when the hints force it or there are none; otherwise every
 *       resolution r with {@code 5 * r <= max(step, range)} (as Thanos' auto-downsampling), so a
 *       30-day graph at a 1-hour step reads 5-minute rollups and a 2-year one at 1 day 1-hour
 *       rollups. A function that rollups cannot answer (not in {@link RollupFunctions#SUPPORTED},
 *       e.g. {@code changes}) allows raw only; a plain selector (no function) follows the step.
 *   <li>Blocks are taken coarsest allowed tier first, then the disallowed tiers finest first (so
 *       data only kept as rollups still shows); a block is skipped when blocks already taken were
 *       derived from all of its sources (the same data at another resolution), and otherwise
 *       read only over the time that blocks already taken at other resolutions leave uncovered
 *       (a 30-day 1-hour block beside the last days' 5-minute blocks).
 * </ol>
 *
 * Holds references on every block it may read until closed.
 */
final class TieredQuerier implements Querier {
  private final List<Block> blocks;
  private final long mint;
  private final long maxt;
  private final List<Querier> opened = new ArrayList<>();

  TieredQuerier(List<Block> acquired, long mint, long maxt) {
    this.blocks = acquired;
    this.mint = mint;
    this.maxt = maxt;
  }

  static long allowedResolution(SelectHints hints) {
    if (hints == null || hints.forceRaw()) {
      return 0;
    }
    if (!hints.func().isEmpty() && !RollupFunctions.SUPPORTED.contains(hints.func())) {
      return 0; // e.g. changes(), quantile_over_time(): rollups cannot answer them
    }
    return Math.max(hints.step(), hints.range()) / 5;
  }

  private Querier choose(SelectHints hints) {
    long allowed = allowedResolution(hints);
    List<Block> order = new ArrayList<>(blocks);
    order.sort((a, b) -> {
      long ra = a.meta().resolution();
      long rb = b.meta().resolution();
      boolean okA = ra <= allowed;
      boolean okB = rb <= allowed;
      if (okA != okB) {
        return okA ? -1 : 1;
      }
      return okA ? Long.compare(rb, ra) : Long.compare(ra, rb);
    });
    Set<String> covered = new HashSet<>();
    List<Block> taken = new ArrayList<>();
    List<Querier> parts = new ArrayList<>();
    for (Block b : order) {
      List<String> src = b.meta().compaction().sources();
      if (!src.isEmpty() && covered.containsAll(src)) {
        continue;
      }
      covered.addAll(src);
      for (long[] span : uncovered(b, taken, mint, maxt)) {
        parts.add(new UnpinnedQuerier(new BlockQuerier(b, span[0], span[1])));
      }
      taken.add(b);
    }
    return parts.isEmpty() ? EmptyQuerier.INSTANCE : MergingQuerier.of(parts);
  }

  /**
   * The parts of [mint, maxt] ∩ b's range that no block already taken at another resolution
   * covers: a compacted rollup block (30 days of 1-hour points) read beside the finer tier's
   * newer blocks answers only where they hold nothing, so no time is read at two resolutions.
   * Blocks of the same resolution are merged, never clipped (overlapping raw blocks).
   */
  static List<long[]> uncovered(Block b, List<Block> taken, long mint, long maxt) {
    List<long[]> free = new ArrayList<>();
    free.add(new long[] {Math.max(mint, b.meta().minTime()), Math.min(maxt, b.meta().maxTime())});
    for (Block t : taken) {
      if (t.meta().resolution() == b.meta().resolution()) {
        continue;
      }
      long lo = t.meta().minTime();
      long hi = t.meta().maxTime();
      List<long[]> next = new ArrayList<>();
      for (long[] f : free) {
        if (hi < f[0] || lo > f[1]) {
          next.add(f);
          continue;
        }
        if (lo > f[0]) {
          next.add(new long[] {f[0], lo - 1});
        }
        if (hi < f[1]) {
          next.add(new long[] {hi + 1, f[1]});
        }
      }
      free = next;
    }
    free.removeIf(f -> f[0] > f[1]);
    return free;
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    return choose(null).select(matchers);
  }

  @Override
  public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
    return choose(hints).select(hints, matchers);
  }

  @Override
  public List<String> labelNames() {
    return choose(null).labelNames();
  }

  @Override
  public List<String> labelValues(String name) {
    return choose(null).labelValues(name);
  }

  @Override
  public void close() {
    for (Block b : blocks) {
      b.release();
    }
  }

  /** A block querier whose block reference the tiered querier owns (closing it is a no-op). */
  private record UnpinnedQuerier(BlockQuerier q) implements Querier {
    @Override
    public SeriesSet select(List<Matcher> matchers) {
      return q.select(matchers);
    }

    @Override
    public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
      return q.select(hints, matchers);
    }

    @Override
    public List<String> labelNames() {
      return q.labelNames();
    }

    @Override
    public List<String> labelValues(String name) {
      return q.labelValues(name);
    }

    @Override
    public void close() {}
  }
}
