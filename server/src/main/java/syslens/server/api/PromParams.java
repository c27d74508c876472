package syslens.server.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Prometheus HTTP API parameters: times (unix seconds or RFC 3339) and durations. */
final class PromParams {
  private static final Pattern DURATION =
      Pattern.compile("(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] UNIT_MS = {
      365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
  /** Prometheus' bounds for times given as numbers (roughly years -292M..+292M). */
  private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Long.MAX_VALUE / 1000);
  private static final int MAX_PARAM_LENGTH = 64;

  /**
   * Parses a decimal number of seconds into milliseconds. Exponents are bounded first: scaling
   * "1e-999999999" would otherwise cost minutes of CPU and hundreds of MB.
   */
  private static long secondsToMillis(String v) {
    if (v.length() > MAX_PARAM_LENGTH) {
      throw new NumberFormatException("too long");
    }
    BigDecimal s = new BigDecimal(v);
    if (s.scale() > 18 || s.scale() < -18 || s.abs().compareTo(MAX_SECONDS) > 0) {
      throw new ArithmeticException("out of range");
    }
    return s.movePointRight(3).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
  }

  private PromParams() {}

  /**
   * Milliseconds since the epoch, or IllegalArgumentException worded as Prometheus' query_range
   * does: {@code invalid parameter "start": cannot parse "x" to a valid timestamp}, plus what is
   * expected.
   */
  static long time(String name, String v) {
    return time(name, v, "");
  }

  /**
   * Like {@link #time(String, String)}, worded as Prometheus' other endpoints (query, series,
   * labels, exemplars): {@code invalid parameter "time": Invalid time value for 'time': ...}.
   */
  static long timeValue(String name, String v) {
    return time(name, v, "Invalid time value for '" + name + "': ");
  }

  private static long time(String name, String v, String infix) {
    String s = v == null ? "" : v;
    try {
      return secondsToMillis(s);
    } catch (NumberFormatException | ArithmeticException e) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("invalid parameter \"" + name + "\": " + infix + "cannot parse \""
            + abbreviate(s) + "\" to a valid timestamp (expected: unix seconds like 1700000000.5 or RFC 3339 like "
            + "2026-01-02T15:04:05Z)");
      }
    }
  }

  /** A duration in ms: Prometheus duration ("15s", "1m30s") or float seconds ("15", "0.5"). */
  static long duration(String name, String v) {
    String s = v == null ? "" : v;
    try {
      return secondsToMillis(s);
    } catch (NumberFormatException | ArithmeticException e) {
      Matcher m = DURATION.matcher(s);
      if (!s.isEmpty() && s.length() <= MAX_PARAM_LENGTH && m.matches()) {
        try {
          long ms = 0;
          for (int i = 0; i < UNIT_MS.length; i++) {
            if (m.group(i + 1) != null) {
              ms = Math.addExact(ms, Math.multiplyExact(Long.parseLong(m.group(i + 1)), UNIT_MS[i]));
            }
          }
          return ms;
        } catch (NumberFormatException | ArithmeticException overflow) {
          // falls through to the error below
        }
      }
      throw new IllegalArgumentException("invalid parameter \"" + name + "\": cannot parse \"" + abbreviate(s)
          + "\" to a valid duration (expected: a duration like 15s, 1m30s or seconds like 15)");
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
