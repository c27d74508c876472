package syslens.tsdb.block;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;

/** A reference model of series (labels -> timestamp -> value) and helpers to compare with it. */
final class BlockTestSupport {
  private BlockTestSupport() {}

  /** Writes the model as one block covering [mint, maxt]. */
  static BlockMeta write(Path dir, TreeMap<Labels, TreeMap<Long, Double>> model, long mint, long maxt)
      throws IOException {
    try (BlockWriter w = BlockWriter.builder(dir, mint, maxt).build()) {
      for (var e : model.entrySet()) {
        long[] ts = new long[e.getValue().size()];
        double[] vs = new double[ts.length];
        int i = 0;
        for (var s : e.getValue().entrySet()) {
          ts[i] = s.getKey();
          vs[i++] = s.getValue();
        }
        w.addSeries(e.getKey(), ts, vs, ts.length);
      }
      return w.commit();
    }
  }

  /** Everything a select returns, as labels -> samples (values as raw bits for exact equality). */
  static Map<Labels, List<long[]>> read(Querier q, List<Matcher> matchers) {
    return read(q, matchers, false);
  }

  /**
   * Like {@link #read(Querier, List)}; {@code dropEmpty} ignores series without samples in the
   * range (the head returns a series whose chunk overlaps the range even when no sample does).
   */
  static Map<Labels, List<long[]>> read(Querier q, List<Matcher> matchers, boolean dropEmpty) {
    Map<Labels, List<long[]>> out = new TreeMap<>();
    Labels prev = null;
    for (Series s : q.select(matchers)) {
      if (prev != null && prev.compareTo(s.labels()) >= 0) {
        throw new AssertionError("series out of order: " + s.labels() + " after " + prev);
      }
      prev = s.labels();
      List<long[]> samples = new ArrayList<>();
      SampleIterator it = s.iterator();
      while (it.next()) {
        samples.add(new long[] {it.timestamp(), Double.doubleToRawLongBits(it.value())});
      }
      if (!dropEmpty || !samples.isEmpty()) {
        out.put(s.labels(), samples);
      }
    }
    return out;
  }

  /** What the model says a select over [mint, maxt] returns. */
  static Map<Labels, List<long[]>> expect(TreeMap<Labels, TreeMap<Long, Double>> model,
      List<Matcher> matchers, long mint, long maxt) {
    Map<Labels, List<long[]>> out = new TreeMap<>();
    for (var e : model.entrySet()) {
      if (!matchers.stream().allMatch(m -> m.matches(e.getKey()))) {
        continue;
      }
      List<long[]> samples = new ArrayList<>();
      for (var s : e.getValue().subMap(mint, true, maxt, true).entrySet()) {
        samples.add(new long[] {s.getKey(), Double.doubleToRawLongBits(s.getValue())});
      }
      if (!samples.isEmpty()) {
        out.put(e.getKey(), samples);
      }
    }
    return out;
  }

  static Map<Labels, List<String>> printable(Map<Labels, List<long[]>> m) {
    Map<Labels, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.stream().map(a -> a[0] + "=" + Long.toHexString(a[1])).toList()));
    return out;
  }
}
