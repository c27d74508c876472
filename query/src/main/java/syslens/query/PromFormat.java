package syslens.query;

import java.math.BigDecimal;

/** Number formatting exactly as Prometheus writes sample values (API JSON, count_values labels). */
public final class PromFormat {
  private PromFormat() {}

  /**
   * A label set as Prometheus prints one in messages (labels.Labels.String()):
   * {@code {__name__="up", job="node"}}, values quoted like Go's strconv.Quote.
   */
  public static String labels(syslens.storage.Labels labels) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(labels.name(i)).append('=');
      quote(labels.value(i), sb);
    }
    return sb.append('}').toString();
  }

  private static void quote(String v, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

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
