package syslens.tsdb.downsample;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.rollup.Rollups;

/**
 * Writes the rollup block of one block at a coarser resolution (raw → 5 min, 5 min → 1 h): same
 * time range, same sources (so readers know both hold the same data), one rollup chunk per series.
 * The new block is durable (fsynced, renamed) before it is added to {@link Blocks}; the source is
 * left alone (the retention planner deletes it when its tier expires).
 */
public final class Downsampler {
  private final Blocks blocks;
  private final Clock clock;

  private Downsampler(Blocks blocks, Clock clock) {
    this.blocks = blocks;
    this.clock = clock;
  }

  public static Downsampler create(Blocks blocks, Clock clock) {
    return new Downsampler(requireNonNull(blocks, "blocks"), requireNonNull(clock, "clock"));
  }

  /**
   * Downsamples {@code src} to {@code resolution} ms and adds the result to the block set.
   *
   * @throws IllegalArgumentException when resolution is not a multiple of src's, larger than it
   */
  public BlockMeta downsample(Block src, long resolution) throws IOException {
    requireNonNull(src, "src");
    BlockMeta m = src.meta();
    if (resolution <= m.resolution() || (m.resolution() > 0 && resolution % m.resolution() != 0)) {
      throw new IllegalArgumentException("resolution: " + resolution + " (expected: a multiple of "
          + "the source's " + m.resolution() + " and larger)");
    }
    BlockMeta out;
    try (BlockWriter w = BlockWriter.builder(blocks.dir(), m.minTime(), m.maxTime())
        .resolution(resolution).level(m.compaction().level()).sources(m.compaction().sources())
        .clock(clock).build()) {
      if (m.isRollup()) {
        for (Block.RollupSeries rs : src.selectRollups(List.of(), m.minTime(), m.maxTime())) {
          addRollupSeries(w, rs.labels(), Rollups.fromRollups(rs.points(), resolution));
        }
      } else {
        try (Querier q = src.querier(m.minTime(), m.maxTime())) {
          long[] ts = new long[1024];
          double[] vs = new double[1024];
          for (Series s : q.select(List.of())) {
            int n = 0;
            SampleIterator it = s.iterator();
            while (it.next()) {
              if (n == ts.length) {
                ts = java.util.Arrays.copyOf(ts, n * 2);
                vs = java.util.Arrays.copyOf(vs, n * 2);
              }
              ts[n] = it.timestamp();
              vs[n++] = it.value();
            }
            addRollupSeries(w, s.labels(), Rollups.fromRaw(ts, vs, n, resolution));
          }
        }
      }
      out = w.commit();
    }
    blocks.add(blocks.dir().resolve(out.id()));
    return out;
  }

  /**
   * Adds one series' rollup points to a rollup block being written, as one rollup chunk (nothing
   * when there are no points), as {@link #downsample} does for each series of its source.
   */
  public static void addRollupSeries(BlockWriter w, syslens.storage.Labels labels, RollupChunk.Points p)
      throws IOException {
    requireNonNull(w, "w");
    requireNonNull(labels, "labels");
    requireNonNull(p, "p");
    if (p.size() == 0) {
      return; // only stale markers
    }
    byte[] data = RollupChunk.encode(p.timestamps(), p.columns(), p.size());
    w.addEncodedSeries(labels, List.of(new BlockWriter.EncodedChunk(p.timestamps()[0],
        p.timestamps()[p.size() - 1], data)), p.size());
  }
}
