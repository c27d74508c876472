package syslens.query.parser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus duration strings: units y, w, d, h, m, s, ms in that order, e.g. {@code 1h30m}. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile(
      "^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?"
          + "(?:([0-9]+)ms)?$");
  private static final long[] UNIT_MS = {
      365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000L, 60_000L, 1000L, 1L};

  private Durations() {}

  /** Milliseconds of {@code s}, or -1 when it is not a valid duration. */
  public static long parseMillis(String s) {
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      return -1;
    }
    long total = 0;
    for (int i = 0; i < UNIT_MS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        try {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MS[i]));
        } catch (ArithmeticException | NumberFormatException e) {
          return -1;
        }
      }
    }
    return total;
  }
}
