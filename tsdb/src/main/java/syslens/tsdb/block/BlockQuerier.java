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
 * rollups answer, {@link AggregateSeries} with the columns that function reads ({@link
 * RollupFunctions#columnsFor}; the others NaN). Results come sorted by labels, as the index stores
 * series in label order.
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
   * avg_over_time sum/count per point, rate and increase the counter of {@link #rebuiltCounter}.
   * Raw blocks ignore hints.
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
    for (Block.RollupSeries rs : block.selectRollups(matchers, mint, maxt,
        RollupFunctions.columnsFor(hints.func()))) {
      out.add(forFunction(rs, hints.func()));
    }
    return SeriesSet.of(out);
  }

  /**
   * The series a reader applying {@code func} (one of {@link RollupFunctions#SUPPORTED}) gets from
   * {@code rs}; its samples are computed only if read (an engine that knows rollups reads the
   * aggregates instead).
   */
  static RollupSeries forFunction(Block.RollupSeries rs, String func) {
    return new RollupSeries(rs.labels(), rs.points(), func);
  }

  /** The samples of {@code p} that a plain engine applying {@code func} reads. */
  static SampleIterator samplesFor(RollupChunk.Points p, String func) {
    double[] vs = switch (func) {
      case "avg_over_time" -> {
        double[] sum = p.column(RollupChunk.Column.SUM);
        double[] cnt = p.column(RollupChunk.Column.COUNT);
        double[] avg = new double[p.size()];
        for (int i = 0; i < avg.length; i++) {
          avg[i] = sum[i] / cnt[i];
        }
        yield avg;
      }
      case "rate", "increase" -> null; // see rebuiltCounter
      default -> p.column(RollupFunctions.columnFor(func));
    };
    return vs != null ? new ArrayIterator(p.timestamps(), vs, vs.length) : rebuiltCounter(p);
  }

  /**
   * The counter that rate() and increase() read from rollups: the real counter value at the end
   * of each interval (LAST), so it meets the raw data or the blocks around it without a false
   * reset; where an interval's reset-aware increase is more than those values show (the counter
   * was reset inside the interval, its rise before the reset lost), two points just before the
   * interval's end, a peak and a zero, make a reader's reset handling add exactly that increase.
   */
  static SampleIterator rebuiltCounter(RollupChunk.Points p) {
    long[] t = p.timestamps();
    double[] last = p.column(RollupChunk.Column.LAST);
    double[] inc = p.column(RollupChunk.Column.INCREASE);
    int n = t.length;
    long[] ts = new long[3 * n];
    double[] vs = new double[3 * n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && t[i] - 2 > t[i - 1]) {
        double d = last[i] - last[i - 1];
        double seen = d >= 0 ? d : last[i]; // what a reader takes from last[i-1] -> last[i]
        double extra = inc[i] - seen; // NaN (a stale or missing value) compares false
        if (extra > 1e-9 * Math.max(1, Math.abs(inc[i])) && inc[i] >= last[i]) {
          ts[k] = t[i] - 2;
          vs[k++] = last[i - 1] + inc[i] - last[i]; // rise to the peak, reset, rise to last[i]
          ts[k] = t[i] - 1;
          vs[k++] = 0;
        }
      }
      ts[k] = t[i];
      vs[k++] = last[i];
    }
    return new ArrayIterator(ts, vs, k);
  }

  /**
   * A rollup series read for {@code func}: samples for plain engines ({@link #samplesFor}), the
   * columns {@code func} reads for aware ones.
   */
  record RollupSeries(Labels labels, RollupChunk.Points p, String func) implements AggregateSeries {
    @Override
    public SampleIterator iterator() {
      return samplesFor(p, func);
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
