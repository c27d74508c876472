package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AggregateSeries;
import syslens.storage.Aggregates;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.rollup.RollupFunctions;

/**
 * A rollup block read for one function decodes only that function's columns: what a reader of
 * that function gets (samples and the columns it reads) equals the answer from every column.
 */
class RollupColumnsTest {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_764_028_800_000L;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + DAY), ZoneOffset.UTC);
  static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  @Test
  void select_eachRollupFunction_sameAnswerAsFromEveryColumn(@TempDir Path dir) throws Exception {
    int n = 8640;
    long[] ts = new long[n];
    double[] counter = new double[n];
    double[] gauge = new double[n];
    double c = 50_000;
    for (int i = 0; i < n; i++) {
      ts[i] = T0 + 10_000L * i;
      c = i == 3615 || i == 6120 ? 0 : c + 3; // resets mid-interval and on a boundary
      counter[i] = c;
      gauge[i] = i == 100 ? Double.NaN : i == 4000 ? STALE : Math.sin(i / 50.0) * 1000 + (i % 7) * 0.125;
    }
    try (BlockWriter w = BlockWriter.builder(dir, T0, T0 + DAY - 1).clock(CLOCK).build()) {
      w.addSeries(Labels.of("__name__", "c"), ts, counter, n);
      w.addSeries(Labels.of("__name__", "g"), ts, gauge, n);
      w.commit();
    }
    try (Blocks blocks = Blocks.open(dir)) {
      Downsampler.create(blocks, CLOCK).downsample(blocks.blocks().get(0), 300_000);
      Block rollup = blocks.blocks().stream().filter(b -> b.meta().isRollup()).findFirst().orElseThrow();
      // The whole day, and a range that cuts the chunk (a slice).
      for (long[] range : new long[][] {{T0, T0 + DAY - 1}, {T0 + 3 * 3_600_000L + 1, T0 + 20 * 3_600_000L}}) {
        for (String func : RollupFunctions.SUPPORTED) {
          SelectHints hints = new SelectHints(range[0], range[1], 3_600_000, func, 3_600_000, false);
          List<Matcher> all = List.of(Matcher.regex("__name__", "c|g"));
          List<Block.RollupSeries> full = rollup.selectRollups(all, range[0], range[1]);
          try (Querier q = rollup.querier(range[0], range[1])) {
            List<Series> got = new ArrayList<>();
            q.select(hints, all).forEach(got::add);
            assertThat(got).hasSize(full.size()).hasSize(2);
            for (int k = 0; k < got.size(); k++) {
              Series s = got.get(k);
              Block.RollupSeries f = full.get(k);
              String as = func + " " + f.labels() + " " + range[0];
              assertThat(s.labels().equals(f.labels())).as(as).isTrue();
              assertThat(samples(s.iterator())).as(as).isEqualTo(samples(BlockQuerier.samplesFor(f.points(), func)));
              Aggregates a = ((AggregateSeries) s).aggregates();
              assertThat(a.timestamps()).as(as).isEqualTo(f.points().timestamps());
              int cols = RollupFunctions.columnsFor(func);
              double[][] mine = {a.min(), a.max(), a.sum(), a.count(), a.last(), a.increase()};
              for (RollupChunk.Column col : RollupChunk.Column.values()) {
                if ((cols & col.bit()) != 0) {
                  assertThat(bits(mine[col.ordinal()])).as(as + " " + col).isEqualTo(bits(f.points().column(col)));
                }
              }
            }
          }
        }
      }
    }
  }

  static List<String> samples(SampleIterator it) {
    List<String> out = new ArrayList<>();
    while (it.next()) {
      out.add(it.timestamp() + "=" + Long.toHexString(Double.doubleToRawLongBits(it.value())));
    }
    return out;
  }

  static long[] bits(double[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Double.doubleToRawLongBits(a[i]);
    }
    return out;
  }
}
