package syslens.tsdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;

/** Dumps query results into comparable values. */
final class TsdbTestSupport {
  private TsdbTestSupport() {}

  /** labels -> "t=bits" strings of every sample with the metric name matching .+ */
  static Map<Labels, List<String>> dump(Tsdb db) {
    Map<Labels, List<String>> out = new TreeMap<>();
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of(Matcher.regex("__name__", ".+")))) {
        List<String> samples = new ArrayList<>();
        SampleIterator it = s.iterator();
        while (it.next()) {
          samples.add(it.timestamp() + "=" + Long.toHexString(Double.doubleToRawLongBits(it.value())));
        }
        out.put(s.labels(), samples);
      }
    }
    return out;
  }

  static int countSamples(Map<Labels, List<String>> dump) {
    return dump.values().stream().mapToInt(List::size).sum();
  }
}
