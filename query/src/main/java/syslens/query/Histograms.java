package syslens.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.google.re2j.Pattern;
import syslens.query.Val.Sample;
import syslens.query.Val.Vec;
import syslens.storage.Labels;

/**
 * {@code histogram_quantile} over classic histograms ({@code le} buckets), as Prometheus 2.42:
 * buckets grouped by all labels but {@code le}, sorted by upper bound, buckets with the same
 * bound merged, counts forced monotonic; NaN without a {@code +Inf} bucket, with fewer than two
 * buckets or with no observations; series whose {@code le} is missing or not a number ignored.
 */
final class Histograms {
  private static final String LE = "le";
  private static final List<String> DROP_LE = List.of(LE);
  private static final List<String> DROP_LE_AND_NAME = List.of(LE, Labels.METRIC_NAME);
  /** Derivation keys for the per-query label cache. */
  private static final Object GROUP_KEY = new Object();
  private static final Object RESULT_KEY = new Object();
  /** What Go's strconv.ParseFloat accepts (decimal and hexadecimal floats). */
  private static final Pattern GO_FLOAT = Pattern.compile(
      "[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?"
          + "|0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?\\d+)");

  private Histograms() {}

  private static final class Buckets {
    final Labels result;
    double[] upper = new double[8];
    double[] count = new double[8];
    int n;

    Buckets(Labels result) {
      this.result = result;
    }

    void add(double ub, double c) {
      if (n == upper.length) {
        upper = Arrays.copyOf(upper, n * 2);
        count = Arrays.copyOf(count, n * 2);
      }
      upper[n] = ub;
      count[n] = c;
      n++;
    }
  }

  static Vec quantile(Evaluator ev, double q, Vec in, long t) {
    LabelCache cache = ev.labels();
    Map<Labels, Buckets> groups = new LinkedHashMap<>();
    for (Sample s : in.samples()) {
      double ub = parseGoFloat(s.labels().get(LE));
      if (Double.isNaN(ub) && !s.labels().get(LE).equalsIgnoreCase("nan")) {
        continue;
      }
      Labels key = cache.derive(GROUP_KEY, s.labels(), l -> l.drop(DROP_LE));
      Buckets b = groups.get(key);
      if (b == null) {
        b = new Buckets(cache.derive(RESULT_KEY, s.labels(), l -> l.drop(DROP_LE_AND_NAME)));
        groups.put(key, b);
      }
      b.add(ub, s.v());
      ev.budget().tick();
    }
    List<Sample> out = new ArrayList<>(groups.size());
    for (Buckets b : groups.values()) {
      out.add(new Sample(b.result, bucketQuantile(q, b.upper, b.count, b.n), t));
    }
    return new Vec(out);
  }

  /** Go's strconv.ParseFloat(s, 64); NaN when it would fail (and for "NaN" itself). */
  static double parseGoFloat(String s) {
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan") || !GO_FLOAT.matcher(s).matches()) {
      return Double.NaN;
    }
    return Double.parseDouble(s);
  }

  /** Prometheus 2.42's bucketQuantile over the first {@code n} (upper bound, count) pairs. */
  static double bucketQuantile(double q, double[] upper, double[] count, int n) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(upper[a], upper[b]));
    double[] ub = new double[n];
    double[] c = new double[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (m > 0 && ub[m - 1] == upper[i]) {
        c[m - 1] += count[i];
      } else {
        ub[m] = upper[i];
        c[m] = count[i];
        m++;
      }
    }
    if (upper[order[n - 1]] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      if (c[i] > max) {
        max = c[i];
      } else if (c[i] < max) {
        c[i] = max;
      }
    }
    if (m < 2) {
      return Double.NaN;
    }
    double observations = c[m - 1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    // First bucket (of all but the last) whose count reaches the rank.
    int b = 0;
    int lo = 0;
    int hi = m - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (c[mid] >= rank) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    b = lo;
    if (b == m - 1) {
      return ub[m - 2];
    }
    if (b == 0 && ub[0] <= 0) {
      return ub[0];
    }
    double bucketStart = 0;
    double bucketEnd = ub[b];
    double cnt = c[b];
    if (b > 0) {
      bucketStart = ub[b - 1];
      cnt -= c[b - 1];
      rank -= c[b - 1];
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / cnt);
  }
}
