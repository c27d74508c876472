package syslens.query;

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
    return plain(Double.toString(v));
  }

  /**
   * Appends {@link #formatValue}'s text for {@code v} to {@code out}. Values Java writes in plain
   * notation ({@code 1.0E-3 <= |v| < 1.0E7}) are written straight into the builder, with no
   * String per value: a query answer formats every point, and these Strings were a quarter of
   * what a 100-host range query allocated.
   */
  public static void appendValue(double v, StringBuilder out) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      out.append(formatValue(v));
      return;
    }
    int start = out.length();
    out.append(v); // the same digits as Double.toString
    for (int i = start; i < out.length(); i++) {
      if (out.charAt(i) == 'E') {
        String s = out.substring(start);
        out.setLength(start);
        out.append(plain(s));
        return;
      }
    }
    int end = out.length();
    while (out.charAt(end - 1) == '0') {
      end--;
    }
    if (out.charAt(end - 1) == '.') {
      end--;
    }
    out.setLength(end);
  }

  /**
   * Java's shortest decimal form of a finite non-zero double ({@code 99.5}, {@code 1.0E-5},
   * {@code -1.25E21}) in plain notation without trailing zeros: the same text as
   * {@code new BigDecimal(s).stripTrailingZeros().toPlainString()}, without the BigDecimal
   * (this runs for every point of every query answer).
   */
  static String plain(String s) {
    int e = s.indexOf('E');
    if (e < 0) {
      int end = s.length();
      while (s.charAt(end - 1) == '0') {
        end--;
      }
      if (s.charAt(end - 1) == '.') {
        end--;
      }
      return s.substring(0, end);
    }
    boolean negative = s.charAt(0) == '-';
    int dot = s.indexOf('.');
    int from = negative ? 1 : 0;
    StringBuilder digits = new StringBuilder(24).append(s, from, dot).append(s, dot + 1, e);
    while (digits.length() > 1 && digits.charAt(digits.length() - 1) == '0') {
      digits.setLength(digits.length() - 1);
    }
    int point = (dot - from) + Integer.parseInt(s, e + 1, s.length(), 10);
    StringBuilder out = new StringBuilder(digits.length() + Math.abs(point) + 3);
    if (negative) {
      out.append('-');
    }
    if (point <= 0) {
      out.append("0.");
      out.repeat('0', -point);
      out.append(digits);
    } else if (point >= digits.length()) {
      out.append(digits);
      out.repeat('0', point - digits.length());
    } else {
      out.append(digits, 0, point).append('.').append(digits, point, digits.length());
    }
    return out.toString();
  }
}
