package syslens.report;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * One report to compute: kinds, scope, period [start, end), language and the time zone used for
 * the busiest hour and dates.
 */
public record ReportRequest(List<Kind> kinds, ReportScope scope, Instant start, Instant end, String language,
    ZoneId zone) {
  /** The longest period a report may cover (two years of history, plus leap days and slack). */
  public static final Duration MAX_PERIOD = Duration.ofDays(800);
  /** The shortest: one hour. */
  public static final Duration MIN_PERIOD = Duration.ofHours(1);
  public static final Set<String> LANGUAGES = Set.of("en", "zh-CN", "ja-JP");

  public ReportRequest {
    kinds = List.copyOf(requireNonNull(kinds, "kinds"));
    requireNonNull(scope, "scope");
    requireNonNull(start, "start");
    requireNonNull(end, "end");
    requireNonNull(language, "language");
    requireNonNull(zone, "zone");
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("kinds: empty (expected: at least one of utilization, rightsizing, "
          + "availability, capacity, alerts)");
    }
    Duration d = Duration.between(start, end);
    if (d.compareTo(MIN_PERIOD) < 0) {
      throw new IllegalArgumentException("period: " + start + " to " + end + " (expected: end at least 1 hour after start)");
    }
    if (d.compareTo(MAX_PERIOD) > 0) {
      throw new IllegalArgumentException("period: " + d.toDays() + " days (expected: at most " + MAX_PERIOD.toDays()
          + " days; history is kept for two years)");
    }
    if (!LANGUAGES.contains(language)) {
      throw new IllegalArgumentException("language: \"" + language + "\" (expected: en, zh-CN or ja-JP)");
    }
  }

  public long startMs() {
    return start.toEpochMilli();
  }

  public long endMs() {
    return end.toEpochMilli();
  }
}
