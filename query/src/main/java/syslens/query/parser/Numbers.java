package syslens.query.parser;

import java.math.BigInteger;
import java.util.Locale;

/** Number literal parsing as Go's ParseInt(s, 0, 64) then ParseFloat, as Prometheus does. */
public final class Numbers {
  private Numbers() {}

  /** The value of a number token; NaN/Inf spelled in any case. */
  public static double parse(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "inf", "+inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "nan" -> {
        return Double.NaN;
      }
      default -> { }
    }
    try {
      if (lower.startsWith("0x")) {
        return new BigInteger(s.substring(2), 16).doubleValue();
      }
      if (lower.matches("0[0-7]+")) {
        return Long.parseLong(s.substring(1), 8);
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new NumberFormatException("not a number: \"" + s + "\"");
    }
  }
}
