package syslens.alerting.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Prometheus' template number formatting, with Go's {@code %.4g} and {@code %v} rules. */
final class Humanize {
  private static final String[] BIG = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  private static final String[] BIG_IEC = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
  private static final String[] SMALL = {"m", "u", "n", "p", "f", "a", "z", "y"};

  private Humanize() {}

  static String si(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return g4(v);
    }
    String prefix = "";
    if (Math.abs(v) >= 1) {
      for (String p : BIG) {
        if (Math.abs(v) < 1000) {
          break;
        }
        prefix = p;
        v /= 1000;
      }
    } else {
      for (String p : SMALL) {
        if (Math.abs(v) >= 1) {
          break;
        }
        prefix = p;
        v *= 1000;
      }
    }
    return g4(v) + prefix;
  }

  static String iec(double v) {
    if (Math.abs(v) <= 1 || !Double.isFinite(v)) {
      return g4(v);
    }
    String prefix = "";
    for (String p : BIG_IEC) {
      if (Math.abs(v) < 1024) {
        break;
      }
      prefix = p;
      v /= 1024;
    }
    return g4(v) + prefix;
  }

  static String duration(double v) {
    if (!Double.isFinite(v)) {
      return g4(v);
    }
    if (v == 0) {
      return "0s";
    }
    if (Math.abs(v) >= 1) {
      String sign = v < 0 ? "-" : "";
      v = Math.abs(v);
      long s = (long) v;
      long seconds = s % 60;
      long minutes = s / 60 % 60;
      long hours = s / 3600 % 24;
      long days = s / 86400;
      if (days != 0) {
        return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (hours != 0) {
        return sign + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (minutes != 0) {
        return sign + minutes + "m " + seconds + "s";
      }
      return sign + g4(v) + "s";
    }
    String prefix = "";
    for (String p : SMALL) {
      if (Math.abs(v) >= 1) {
        break;
      }
      prefix = p;
      v *= 1000;
    }
    return g4(v) + prefix + "s";
  }

  /** Go's {@code %.4g}. */
  static String g4(double v) {
    return goG(v, 4);
  }

  /** Go's {@code %v} of a float64 (shortest digits, exponent from 1e+06 and below 1e-04). */
  static String goFloat(double v) {
    return goG(v, -1);
  }

  private static String goG(double v, int prec) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v)));
    if (prec > 0) {
      d = d.round(new MathContext(prec, RoundingMode.HALF_EVEN));
    }
    d = d.stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exp = digits.length() - d.scale() - 1;
    int eprec = prec > 0 ? prec : 6;
    if (prec > 0 && eprec > digits.length() && digits.length() >= exp + 1) {
      eprec = digits.length();
    }
    String sign = v < 0 ? "-" : "";
    if (exp < -4 || exp >= eprec) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      int ae = Math.abs(exp);
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae;
    }
    return sign + d.toPlainString();
  }
}
