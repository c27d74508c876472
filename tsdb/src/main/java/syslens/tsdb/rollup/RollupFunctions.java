package syslens.tsdb.rollup;

import static java.util.Objects.requireNonNull;

import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.chunkenc.RollupChunk.Column;

/**
 * Evaluates PromQL range functions over rollup points with timestamps in (from, to]: exact for
 * windows aligned to the rollup interval (they then contain exactly the raw samples of the
 * intervals whose points they contain). {@code rate} and {@code increase} are the reset-aware
 * increase from the last sample before the window to the last sample in it, without Prometheus'
 * extrapolation (VictoriaMetrics' semantics); {@code rate} divides by the window length.
 */
public final class RollupFunctions {
  /** The functions answerable from rollups. */
  public static final java.util.Set<String> SUPPORTED = java.util.Set.of("rate", "increase",
      "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time",
      "last_over_time");

  private RollupFunctions() {}

  /** The column a plain engine should read for {@code func} (LAST when there is no better one). */
  public static Column columnFor(String func) {
    return switch (func) {
      case "max_over_time" -> Column.MAX;
      case "min_over_time" -> Column.MIN;
      case "sum_over_time" -> Column.SUM;
      case "count_over_time" -> Column.COUNT;
      case "rate", "increase" -> Column.INCREASE;
      default -> Column.LAST;
    };
  }

  /**
   * The columns (a set of {@link Column#bit()}s) a reader needs to answer {@code func} from
   * rollup points, so a block decodes only those: {@code avg_over_time} sums and counts, {@code
   * max_over_time} maxima, {@code rate} and {@code increase} counts (a window of single raw
   * samples is Prometheus' rate of their values), last values (the rebuilt counter, and the step
   * to raw samples after the rollups) and increases. Every column for a function not in {@link
   * #SUPPORTED}.
   */
  public static int columnsFor(String func) {
    requireNonNull(func, "func");
    return switch (func) {
      case "max_over_time" -> Column.MAX.bit();
      case "min_over_time" -> Column.MIN.bit();
      case "sum_over_time" -> Column.SUM.bit();
      case "count_over_time" -> Column.COUNT.bit();
      case "avg_over_time" -> Column.SUM.bit() | Column.COUNT.bit();
      case "last_over_time" -> Column.LAST.bit();
      case "rate", "increase" -> Column.COUNT.bit() | Column.LAST.bit() | Column.INCREASE.bit();
      default -> RollupChunk.ALL;
    };
  }

  /**
   * {@code func} over the points with from < t <= to, or NaN when there is none.
   *
   * @throws IllegalArgumentException for a function not in {@link #SUPPORTED}
   */
  public static double eval(String func, RollupChunk.Points p, long from, long to) {
    requireNonNull(func, "func");
    requireNonNull(p, "p");
    if (!SUPPORTED.contains(func)) {
      throw new IllegalArgumentException("func: " + func + " (expected: one of " + new java.util.TreeSet<>(SUPPORTED) + ")");
    }
    double min = Double.NaN;
    double max = Double.NaN;
    double sum = 0;
    double count = 0;
    double last = Double.NaN;
    double inc = 0;
    int n = 0;
    for (int i = 0; i < p.size(); i++) {
      long t = p.timestamps()[i];
      if (t <= from || t > to) {
        continue;
      }
      double mn = p.column(Column.MIN)[i];
      double mx = p.column(Column.MAX)[i];
      if (Double.isNaN(min) || mn < min) {
        min = mn;
      }
      if (Double.isNaN(max) || mx > max) {
        max = mx;
      }
      sum += p.column(Column.SUM)[i];
      count += p.column(Column.COUNT)[i];
      last = p.column(Column.LAST)[i];
      inc += p.column(Column.INCREASE)[i];
      n++;
    }
    if (n == 0) {
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
}
