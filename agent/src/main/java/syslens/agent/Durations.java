package syslens.agent;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations the Prometheus way: {@code 500ms}, {@code 10s}, {@code 1m30s}. */
final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /** Parses e.g. {@code 10s}; {@code what} names the value in the error message. */
  static Duration parse(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + ": '" + text + "' (expected: e.g. 10s, 500ms, 1m)");
    }
    Matcher m = PART.matcher(text.strip());
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(what + ": " + text + " (expected: e.g. 10s, 500ms, 1m)");
      }
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end == 0 || end != text.strip().length()) {
      throw new IllegalArgumentException(what + ": " + text + " (expected: e.g. 10s, 500ms, 1m)");
    }
    return total;
  }

  /** Prints the shortest exact form: {@code 10s}, {@code 500ms}, {@code 1m30s}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    long s = ms / 1000 % 60;
    long rest = ms % 1000;
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    if (rest > 0) {
      sb.append(rest).append("ms");
    }
    return sb.toString();
  }
}
