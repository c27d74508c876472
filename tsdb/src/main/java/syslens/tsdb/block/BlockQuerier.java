package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import syslens.storage.AggregateSeries;
import syslens.storage.Aggregates;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.storage.SeriesSet;
import syslens.storage.SelectHints;
import syslens.tsdb.chunkenc.ArrayIterator;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.rollup.RollupFunctions;

/**
 * Reads one block over [mint, maxt]. Raw blocks yield their samples; rollup blocks yield each
 * interval's {@code last} value at the interval's timestamp, or with hints naming a function that
 * rollups answer, {@link AggregateSeries} (every column). Results come sorted by labels, as the index stores series in label order.
 */
final class BlockQuerier implements Querier {
  private final Block block;
  private final long mint;
  private final long maxt;
  private final AtomicBoolean closed = new AtomicBoolean();

  BlockQuerier(Block block, long mint, long maxt) {
    this.block = block;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    requireNonNull(matchers, "matchers");
    checkOpen();
    if (!block.meta().overlaps(mint, maxt)) {
      return SeriesSet.empty();
    }
    List<Series> out = new ArrayList<>();
    for (int ref : block.index().select(matchers)) {
      IndexReader.SeriesEntry e = block.index().series(ref);
      List<ChunkRef> chunks = new ArrayList<>();
      for (ChunkRef c : e.chunks()) {
        if (c.overlaps(mint, maxt)) {
          chunks.add(c);
        }
      }
      if (!chunks.isEmpty() && hasSamples(chunks)) {
        out.add(new BlockSeries(e.labels(), chunks));
      }
    }
    return SeriesSet.of(out);
  }

  /**
   * On a rollup block, hints with a function from {@link RollupFunctions#SUPPORTED} select the
   * matching aggregate so that an engine applying that function to the returned samples gets the
   * rollup answer: max/min/sum/last_over_time read their column, count_over_time the counts,
   * avg_over_time sum/count per point, rate and increase a counter rebuilt from the per-point
   * reset-aware increases and anchored at the last real value. Raw blocks ignore hints.
   */
  @Override
  public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
    requireNonNull(hints, "hints");
    requireNonNull(matchers, "matchers");
    checkOpen();
    if (!block.meta().isRollup() || !RollupFunctions.SUPPORTED.contains(hints.func())) {
      return select(matchers);
    }
    List<Series> out = new ArrayList<>();
    for (Block.RollupSeries rs : block.selectRollups(matchers, mint, maxt)) {
      RollupChunk.Points p = rs.points();
      double[] vs = switch (hints.func()) {
        case "avg_over_time" -> {
          double[] sum = p.column(RollupChunk.Column.SUM);
          double[] cnt = p.column(RollupChunk.Column.COUNT);
          double[] avg = new double[p.size()];
          for (int i = 0; i < avg.length; i++) {
            avg[i] = sum[i] / cnt[i];
          }
          yield avg;
        }
        case "rate", "increase" -> {
          // A counter rising by each point's reset-aware increase, anchored so that its last point
          // equals the real last value: no false reset where raw data (or the head) takes over,
          // and equal to the real counter at every point when the block saw no reset.
          double[] inc = p.column(RollupChunk.Column.INCREASE);
          double[] last = p.column(RollupChunk.Column.LAST);
          double total = 0;
          for (double x : inc) {
            total += x;
          }
          double[] counter = new double[p.size()];
          double c = last[last.length - 1] - total;
          for (int i = 0; i < counter.length; i++) {
            c += inc[i];
            counter[i] = c;
          }
          counter[counter.length - 1] = last[last.length - 1];
          yield counter;
        }
        default -> p.column(RollupFunctions.columnFor(hints.func()));
      };
      out.add(new RollupSeries(rs.labels(), p, vs));
    }
    return SeriesSet.of(out);
  }

  /** A rollup series: {@code vs} per point for plain engines, every column for aware ones. */
  private record RollupSeries(Labels labels, RollupChunk.Points p, double[] vs)
      implements AggregateSeries {
    @Override
    public SampleIterator iterator() {
      return new ArrayIterator(p.timestamps(), vs, vs.length);
    }

    @Override
    public Aggregates aggregates() {
      return new Aggregates(p.timestamps(), p.column(RollupChunk.Column.MIN),
          p.column(RollupChunk.Column.MAX), p.column(RollupChunk.Column.SUM),
          p.column(RollupChunk.Column.COUNT), p.column(RollupChunk.Column.LAST),
          p.column(RollupChunk.Column.INCREASE));
    }
  }

  /**
   * A chunk's first and last timestamps are samples, so only chunks that start before and end
   * after the range need decoding to know whether a sample falls inside it.
   */
  private boolean hasSamples(List<ChunkRef> chunks) {
    for (ChunkRef c : chunks) {
      if (c.minTime() >= mint || c.maxTime() <= maxt) {
        return true;
      }
    }
    return new ChunkSeriesIterator(block, chunks, mint, maxt, RollupChunk.Column.LAST).next();
  }

  @Override
  public List<String> labelNames() {
    checkOpen();
    return block.meta().overlaps(mint, maxt) ? block.index().labelNames() : List.of();
  }

  @Override
  public List<String> labelValues(String name) {
    requireNonNull(name, "name");
    checkOpen();
    return block.meta().overlaps(mint, maxt) ? block.index().labelValues(name) : List.of();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("querier of block " + block.meta().id() + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      block.release();
    }
  }

  private final class BlockSeries implements Series {
    private final Labels labels;
    private final List<ChunkRef> chunks;

    BlockSeries(Labels labels, List<ChunkRef> chunks) {
      this.labels = labels;
      this.chunks = chunks;
    }

    @Override
    public Labels labels() {
      return labels;
    }

    @Override
    public SampleIterator iterator() {
      return new ChunkSeriesIterator(block, chunks, mint, maxt, RollupChunk.Column.LAST);
    }
  }
}
