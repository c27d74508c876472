package syslens.report;

import java.util.Arrays;

/** The statistics reports print: mean, nearest-rank percentile, maximum, least-squares line. */
final class Stats {
  private Stats() {}

  static double mean(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Nearest-rank percentile (p in (0, 100]): the smallest value with at least p% of values at or below it. */
  static double percentile(double[] v, double p) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return select(s, Math.max(0, Math.min(s.length, rank) - 1));
  }

  /**
   * The k-th smallest value (0-based) of {@code a}, reordering it: quickselect, linear on average
   * (a report takes four percentiles of every node's series). NaNs order as {@link Double#compare}
   * puts them, as a sort would.
   */
  static double select(double[] a, int k) {
    int lo = 0;
    int hi = a.length - 1;
    while (hi > lo) {
      if (hi - lo < 16) {
        Arrays.sort(a, lo, hi + 1);
        return a[k];
      }
      double pivot = median3(a[lo], a[(lo + hi) >>> 1], a[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (Double.compare(a[i], pivot) < 0) {
          i++;
        }
        while (Double.compare(a[j], pivot) > 0) {
          j--;
        }
        if (i <= j) {
          double x = a[i];
          a[i++] = a[j];
          a[j--] = x;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static double median3(double a, double b, double c) {
    return Double.compare(a, b) < 0 ? (Double.compare(b, c) < 0 ? b : Double.compare(a, c) < 0 ? c : a)
        : (Double.compare(a, c) < 0 ? a : Double.compare(b, c) < 0 ? c : b);
  }

  static double max(double[] v) {
    double m = Double.NaN;
    for (double x : v) {
      m = Double.isNaN(m) || x > m ? x : m;
    }
    return m;
  }

  /** Least-squares line v = a + b t: returns {a, b}; b is NaN with fewer than two points. */
  static double[] fit(long[] t, double[] v) {
    int n = v.length;
    if (n < 2) {
      return new double[] {n == 1 ? v[0] : Double.NaN, Double.NaN};
    }
    double t0 = t[0];
    double st = 0;
    double sv = 0;
    for (int i = 0; i < n; i++) {
      st += t[i] - t0;
      sv += v[i];
    }
    double mt = st / n;
    double mv = sv / n;
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      double dt = t[i] - t0 - mt;
      num += dt * (v[i] - mv);
      den += dt * dt;
    }
    double b = den == 0 ? Double.NaN : num / den;
    return new double[] {mv - b * (mt + t0), b};
  }
}
