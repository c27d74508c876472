package syslens.agent.collect;

import java.time.Duration;
import java.util.regex.Pattern;

/** Checks shared by scrape targets and commands. */
final class Sources {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.-]{0,62}");

  private Sources() {}

  static void checkName(String what, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " name: '" + name
          + "' (expected: a letter or _, then up to 62 of [a-zA-Z0-9_.-])");
    }
  }

  static void checkLimits(String what, Duration timeout, int maxBytes, int maxSeries) {
    if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(what + ": timeout " + timeout + " (expected: 1ms-1h)");
    }
    if (maxBytes < 1 || maxBytes > 64 << 20) {
      throw new IllegalArgumentException(what + ": maxBytes " + maxBytes + " (expected: 1-67108864)");
    }
    if (maxSeries < 1 || maxSeries > 100_000) {
      throw new IllegalArgumentException(what + ": maxSeries " + maxSeries + " (expected: 1-100000)");
    }
  }
}
