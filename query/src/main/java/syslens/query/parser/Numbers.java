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
      if (isOctal(lower)) {
        return Long.parseLong(s.substring(1), 8);
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new NumberFormatException("not a number: \"" + s + "\"");
    }
  }

  /** {@code 0[0-7]+}, checked without a regex (a number is parsed for every query text). */
  private static boolean isOctal(String s) {
    if (s.length() < 2 || s.charAt(0) != '0') {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
