package syslens.tsdb.downsample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.rollup.RollupFunctions;
import syslens.tsdb.rollup.Rollups;

/** Rollup values read back from 5 m and 1 h blocks equal those computed from the raw samples. */
class DownsamplerTest {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_764_028_800_000L; // midnight UTC
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + DAY), ZoneOffset.UTC);
  static final double STALE = Double.longBitsToDouble(Rollups.STALE_NAN_BITS);

  record Raw(long[] ts, double[] vs) {}

  static Raw randomSeries(Random r) {
    int n = 1 + r.nextInt(3000);
    long[] ts = new long[n];
    double[] vs = new double[n];
    long t = T0 + r.nextInt(100_000);
    boolean counter = r.nextBoolean();
    double v = r.nextInt(1000);
    int k = 0;
    for (int i = 0; i < n && t < T0 + DAY; i++) {
      ts[k] = t;
      if (r.nextInt(200) == 0) {
        vs[k] = STALE;
      } else if (counter) {
        v = r.nextInt(100) == 0 ? r.nextInt(50) : v + r.nextInt(500) / 4.0; // resets now and then
        vs[k] = v;
      } else {
        vs[k] = r.nextInt(2000) - 1000 + r.nextInt(4) / 4.0;
      }
      k++;
      t += r.nextInt(5) == 0 ? r.nextInt(3_600_000) : 1000 + r.nextInt(60_000);
    }
    return new Raw(java.util.Arrays.copyOf(ts, k), java.util.Arrays.copyOf(vs, k));
  }

  /** The raw answer of func over samples with from <= t < to (aligned window). */
  static double rawEval(String func, Raw s, long from, long to) {
    double min = Double.NaN;
    double max = Double.NaN;
    double sum = 0;
    double last = Double.NaN;
    double inc = 0;
    int count = 0;
    boolean havePrev = false;
    double prev = 0;
    for (int i = 0; i < s.ts().length; i++) {
      double v = s.vs()[i];
      if (Double.doubleToRawLongBits(v) == Rollups.STALE_NAN_BITS) {
        continue;
      }
      long t = s.ts()[i];
      if (t >= from && t < to) {
        min = Double.isNaN(min) || v < min ? v : min;
        max = Double.isNaN(max) || v > max ? v : max;
        sum += v;
        last = v;
        count++;
        if (havePrev) {
          inc += v >= prev ? v - prev : v;
        }
      }
      prev = v;
      havePrev = true;
    }
    if (count == 0) {
      return Double.NaN;
    }
    return switch (func) {
      case "min_over_time" -> min;
      case "max_over_time" -> max;
      case "sum_over_time" -> sum;
      case "count_over_time" -> count;
      case "avg_over_time" -> sum / count;
      case "last_over_time" -> last;
      case "increase" -> inc;
      case "rate" -> inc / ((to - from) / 1000.0);
      default -> throw new AssertionError(func);
    };
  }

  @Property(tries = 12)
  void downsample_rawTo5mTo1h_rollupsEqualRawAnswers(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    Path dir = Files.createTempDirectory("downsample");
    try {
      List<Raw> raw = new ArrayList<>();
      List<Labels> labels = new ArrayList<>();
      BlockMeta meta;
      try (BlockWriter w = BlockWriter.builder(dir, T0, T0 + DAY - 1).clock(CLOCK).build()) {
        for (int i = 0; i < 5; i++) {
          Raw s = randomSeries(r);
          Labels l = Labels.of("__name__", "m", "i", Integer.toString(i));
          raw.add(s);
          labels.add(l);
          w.addSeries(l, s.ts(), s.vs(), s.ts().length);
        }
        meta = w.commit();
      }
      try (Blocks blocks = Blocks.open(dir)) {
        Downsampler d = Downsampler.create(blocks, CLOCK);
        Block src = blocks.blocks().get(0);
        BlockMeta m5 = d.downsample(src, 300_000);
        Block b5 = blocks.blocks().stream().filter(b -> b.meta().id().equals(m5.id())).findFirst().orElseThrow();
        BlockMeta m1h = d.downsample(b5, 3_600_000);
        Block b1h = blocks.blocks().stream().filter(b -> b.meta().id().equals(m1h.id())).findFirst().orElseThrow();
        assertThat(m5.compaction().sources()).isEqualTo(meta.compaction().sources());
        for (long res : new long[] {300_000, 3_600_000}) {
          Block b = res == 300_000 ? b5 : b1h;
          b.verifyChunks();
          for (int i = 0; i < raw.size(); i++) {
            var rs = b.selectRollups(List.of(Matcher.equal("i", Integer.toString(i))), T0, T0 + DAY);
            for (int trial = 0; trial < 20; trial++) {
              long a = T0 + r.nextInt((int) (DAY / res)) * res;
              long e = Math.min(T0 + DAY, a + (1 + r.nextInt(30)) * res);
              for (String f : RollupFunctions.SUPPORTED) {
                double want = rawEval(f, raw.get(i), a, e);
                double got = rs.isEmpty() ? Double.NaN : RollupFunctions.eval(f, rs.get(0).points(), a - 1, e - 1);
                String what = f + " res " + res + " series " + i + " window " + (a - T0) + ".." + (e - T0);
                if (f.equals("rate")) {
                  want = Double.isNaN(want) ? want : want * ((e - a) / 1000.0);
                  got = Double.isNaN(got) ? got : got * ((e - a) / 1000.0);
                }
                if (Double.isNaN(want)) {
                  assertThat(got).as(what).isNaN();
                } else {
                  assertThat(got).as(what).isCloseTo(want, within(1e-9 * Math.max(1, Math.abs(want))));
                }
              }
            }
          }
        }
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }
}
