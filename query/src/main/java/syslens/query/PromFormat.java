package syslens.query;

import java.math.BigDecimal;

/** Number formatting exactly as Prometheus writes sample values (API JSON, count_values labels). */
public final class PromFormat {
  private PromFormat() {}

  /** Go's strconv.FormatFloat(v, 'f', -1, 64): "1", "0.5", "+Inf", "-Inf", "NaN". */
  public static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
