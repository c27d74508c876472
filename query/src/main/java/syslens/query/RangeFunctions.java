package syslens.query;

import syslens.query.Val.Window;
import syslens.storage.Aggregates;

/** Functions over one series' range-vector window (rate, *_over_time, ...), Prometheus 2.42. */
final class RangeFunctions {
  private RangeFunctions() {}

  /** Whether {@code name} takes a range vector and is implemented here. */
  static boolean supports(String name) {
    return switch (name) {
      case "rate", "increase", "delta", "irate", "idelta", "avg_over_time", "sum_over_time",
          "count_over_time", "min_over_time", "max_over_time", "last_over_time",
          "present_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time",
          "changes", "resets", "deriv", "predict_linear", "holt_winters" -> true;
      default -> false;
    };
  }

  /** Whether {@code name} is computed from rollup aggregates when a series has them. */
  static boolean fromAggregates(String name) {
    return switch (name) {
      case "rate", "increase", "avg_over_time", "sum_over_time", "count_over_time",
          "min_over_time", "max_over_time", "last_over_time" -> true;
      default -> false;
    };
  }

  /**
   * {@code name} over a window of rollup points ({@code w.agg()} non-null): exact over windows
   * that hold whole intervals (steps and ranges that are multiples of the tier's interval, with
   * no raw sample exactly on an interval boundary). Counts, sums, minima and maxima combine the
   * points' columns; {@code avg_over_time} is total sum / total count. {@code rate} and {@code
   * increase} are the reset-aware increase from the last sample before the window's first
   * interval to its last sample (VictoriaMetrics' semantics, no extrapolation; {@code rate}
   * divides by the range) -- unless every point is a single raw sample (count 1), where
   * Prometheus' extrapolated rate of the raw samples applies as usual.
   */
  static Double applyAggregates(String name, Window w, long rangeStart, long rangeEnd) {
    Aggregates a = w.agg();
    int from = w.from();
    int to = w.to();
    switch (name) {
      case "count_over_time" -> {
        double c = 0;
        for (int i = from; i < to; i++) {
          c += a.count()[i];
        }
        return c;
      }
      case "sum_over_time" -> {
        return sum(a.sum(), from, to);
      }
      case "avg_over_time" -> {
        double c = 0;
        for (int i = from; i < to; i++) {
          c += a.count()[i];
        }
        return sum(a.sum(), from, to) / c;
      }
      case "min_over_time", "max_over_time" -> {
        boolean max = name.equals("max_over_time");
        double[] col = max ? a.max() : a.min();
        double r = col[from];
        for (int i = from; i < to; i++) {
          double x = col[i];
          if ((max ? x > r : x < r) || Double.isNaN(r)) {
            r = x;
          }
        }
        return r;
      }
      case "last_over_time" -> {
        return a.last()[to - 1];
      }
      case "rate", "increase" -> {
        boolean raw = true;
        for (int i = from; i < to && raw; i++) {
          raw = a.count()[i] == 1;
        }
        if (raw) {
          return extrapolatedRate(w, rangeStart, rangeEnd, true, name.equals("rate"));
        }
        double inc = sum(a.increase(), from, to);
        return name.equals("rate") ? inc / ((rangeEnd - rangeStart) / 1000.0) : inc;
      }
      default -> throw new IllegalStateException("not a rollup function: " + name);
    }
  }

  private static double sum(double[] col, int from, int to) {
    double[] sc = new double[2];
    for (int i = from; i < to; i++) {
      kahanInc(col[i], sc);
    }
    return Double.isInfinite(sc[0]) ? sc[0] : sc[0] + sc[1];
  }

  /**
   * The function's value for one window, or NaN-boxed "no result" as {@code null}. {@code
   * rangeStart}/{@code rangeEnd} are the selector's bounds at this step; {@code evalTime} is the
   * step time; {@code scalar} is the extra scalar argument, if any.
   */
  static Double apply(String name, Window w, long rangeStart, long rangeEnd, long evalTime,
      double... scalars) {
    double scalar = scalars.length > 0 ? scalars[0] : Double.NaN;
    int n = w.size();
    return switch (name) {
      case "rate" -> extrapolatedRate(w, rangeStart, rangeEnd, true, true);
      case "increase" -> extrapolatedRate(w, rangeStart, rangeEnd, true, false);
      case "delta" -> extrapolatedRate(w, rangeStart, rangeEnd, false, false);
      case "irate" -> instantValue(w, true);
      case "idelta" -> instantValue(w, false);
      case "avg_over_time" -> avg(w);
      case "sum_over_time" -> sum(w);
      case "count_over_time" -> (double) n;
      case "min_over_time" -> {
        double min = w.v(0);
        for (int i = 0; i < n; i++) {
          double x = w.v(i);
          if (x < min || Double.isNaN(min)) {
            min = x;
          }
        }
        yield min;
      }
      case "max_over_time" -> {
        double max = w.v(0);
        for (int i = 0; i < n; i++) {
          double x = w.v(i);
          if (x > max || Double.isNaN(max)) {
            max = x;
          }
        }
        yield max;
      }
      case "last_over_time" -> w.v(n - 1);
      case "present_over_time" -> 1.0;
      case "stddev_over_time" -> Math.sqrt(variance(w));
      case "stdvar_over_time" -> variance(w);
      case "quantile_over_time" -> Aggregations.quantile(scalar, w.values());
      case "changes" -> {
        int changes = 0;
        for (int i = 1; i < n; i++) {
          if (w.v(i) != w.v(i - 1) && !(Double.isNaN(w.v(i)) && Double.isNaN(w.v(i - 1)))) {
            changes++;
          }
        }
        yield (double) changes;
      }
      case "resets" -> {
        int resets = 0;
        for (int i = 1; i < n; i++) {
          if (w.v(i) < w.v(i - 1)) {
            resets++;
          }
        }
        yield (double) resets;
      }
      case "deriv" -> n < 2 ? null : linearRegression(w, w.t(0))[0];
      case "predict_linear" -> {
        if (n < 2) {
          yield null;
        }
        double[] si = linearRegression(w, evalTime);
        yield si[1] + si[0] * scalar;
      }
      case "holt_winters" -> holtWinters(w, scalars[0], scalars[1]);
      default -> throw new IllegalStateException("range function " + name);
    };
  }

  /** Prometheus 2.42's double exponential smoothing. */
  private static Double holtWinters(Window w, double sf, double tf) {
    if (sf <= 0 || sf >= 1) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "invalid smoothing factor. Expected: 0 < sf < 1, got: " + sf);
    }
    if (tf <= 0 || tf >= 1) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "invalid trend factor. Expected: 0 < tf < 1, got: " + tf);
    }
    if (w.size() < 2) {
      return null;
    }
    double s0 = 0;
    double s1 = w.v(0);
    double b = w.v(1) - w.v(0);
    for (int i = 1; i < w.size(); i++) {
      double x = sf * w.v(i);
      if (i > 1) {
        b = tf * (s1 - s0) + (1 - tf) * b;
      }
      double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  }

  /** Prometheus' extrapolatedRate: counter resets, extrapolation to the range boundaries. */
  static Double extrapolatedRate(Window w, long rangeStart, long rangeEnd, boolean isCounter,
      boolean isRate) {
    if (w.size() < 2) {
      return null;
    }
    // A window over the arrays of a series loaded without any reset needs no scan for resets.
    boolean noResets = w.src() != null && w.src().vs() == w.vs() && w.src().monotonic();
    return extrapolatedRate(w.ts(), w.vs(), w.from(), w.size(), noResets, rangeStart, rangeEnd,
        isCounter, isRate);
  }

  /**
   * {@link #extrapolatedRate(Window, long, long, boolean, boolean)} over samples {@code [o, o +
   * n)} of ts/vs (n >= 2); {@code noResets} when the caller knows no value there is below the one
   * before it (the scan for counter resets is then skipped: the result is the same).
   */
  static double extrapolatedRate(long[] ts, double[] vs, int o, int n, boolean noResets,
      long rangeStart, long rangeEnd, boolean isCounter, boolean isRate) {
    double result = vs[o + n - 1] - vs[o + 0];
    if (isCounter && !noResets) {
      double prev = vs[o + 0];
      for (int i = 1; i < n; i++) {
        if (vs[o + i] < prev) {
          result += prev;
        }
        prev = vs[o + i];
      }
    }
    double durationToStart = (ts[o + 0] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - ts[o + n - 1]) / 1000.0;
    double sampledInterval = (ts[o + n - 1] - ts[o + 0]) / 1000.0;
    double averageInterval = sampledInterval / (n - 1);
    if (isCounter && result > 0 && vs[o + 0] >= 0) {
      double durationToZero = sampledInterval * (vs[o + 0] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = averageInterval * 1.1;
    double extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
    double factor = extrapolateTo / sampledInterval;
    if (isRate) {
      factor /= (rangeEnd - rangeStart) / 1000.0;
    }
    return result * factor;
  }

  private static Double instantValue(Window w, boolean isRate) {
    int n = w.size();
    if (n < 2) {
      return null;
    }
    double last = w.v(n - 1);
    double prev = w.v(n - 2);
    double result = isRate && last < prev ? last : last - prev;
    long interval = w.t(n - 1) - w.t(n - 2);
    if (interval == 0) {
      return null;
    }
    if (isRate) {
      result /= interval / 1000.0;
    }
    return result;
  }

  /** Kahan-Neumaier step: returns {sum, compensation}. */
  private static void kahanInc(double inc, double[] sc) {
    double t = sc[0] + inc;
    if (Math.abs(sc[0]) >= Math.abs(inc)) {
      sc[1] += (sc[0] - t) + inc;
    } else {
      sc[1] += (inc - t) + sc[0];
    }
    sc[0] = t;
  }

  private static double sum(Window w) {
    double[] sc = new double[2];
    for (int i = 0; i < w.size(); i++) {
      double x = w.v(i);
      kahanInc(x, sc);
    }
    return Double.isInfinite(sc[0]) ? sc[0] : sc[0] + sc[1];
  }

  private static double avg(Window w) {
    double[] sc = new double[2];
    double count = 0;
    for (int i = 0; i < w.size(); i++) {
      double x = w.v(i);
      count++;
      double mean = sc[0];
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(x) && (mean > 0) == (x > 0)) {
          continue;
        }
        if (!Double.isInfinite(x) && !Double.isNaN(x)) {
          continue;
        }
      }
      kahanInc(x / count - mean / count, sc);
    }
    return Double.isInfinite(sc[0]) ? sc[0] : sc[0] + sc[1];
  }

  private static double variance(Window w) {
    double count = 0;
    double[] mean = new double[2];
    double[] aux = new double[2];
    for (int i = 0; i < w.size(); i++) {
      double x = w.v(i);
      count++;
      double delta = x - (mean[0] + mean[1]);
      kahanInc(delta / count, mean);
      kahanInc(delta * (x - (mean[0] + mean[1])), aux);
    }
    return (aux[0] + aux[1]) / count;
  }

  /** {slope, intercept} of the least-squares line, x in seconds relative to interceptTime. */
  private static double[] linearRegression(Window w, long interceptTime) {
    double n = 0;
    double[] sx = new double[2];
    double[] sy = new double[2];
    double[] sxy = new double[2];
    double[] sx2 = new double[2];
    double initY = w.v(0);
    boolean constY = true;
    for (int i = 0; i < w.size(); i++) {
      double y = w.v(i);
      if (constY && i > 0 && y != initY) {
        constY = false;
      }
      n++;
      double x = (w.t(i) - interceptTime) / 1e3;
      kahanInc(x, sx);
      kahanInc(y, sy);
      kahanInc(x * y, sxy);
      kahanInc(x * x, sx2);
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    double sumX = sx[0] + sx[1];
    double sumY = sy[0] + sy[1];
    double sumXY = sxy[0] + sxy[1];
    double sumX2 = sx2[0] + sx2[1];
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    return new double[] {slope, sumY / n - slope * sumX / n};
  }
}
