package syslens.alerting.notify;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of an Alertmanager {@code time_intervals} definition: times of day, weekdays, days of
 * the month (negative counts from the end), months and years, in a location (default UTC). A
 * field left empty matches everything; an instant is inside when every given field matches.
 * Ranges are inclusive ({@code monday:friday}); time ranges are [start, end) in minutes.
 */
final class TimeInterval {
  record Range(int from, int to) {}

  private static final List<String> WEEKDAYS = List.of("sunday", "monday", "tuesday", "wednesday", "thursday",
      "friday", "saturday");
  private static final List<String> MONTHS = List.of("january", "february", "march", "april", "may", "june", "july",
      "august", "september", "october", "november", "december");

  final List<Range> times;
  final List<Range> weekdays;
  final List<Range> daysOfMonth;
  final List<Range> months;
  final List<Range> years;
  final ZoneId location;

  TimeInterval(List<Range> times, List<Range> weekdays, List<Range> daysOfMonth, List<Range> months,
      List<Range> years, ZoneId location) {
    this.times = List.copyOf(times);
    this.weekdays = List.copyOf(weekdays);
    this.daysOfMonth = List.copyOf(daysOfMonth);
    this.months = List.copyOf(months);
    this.years = List.copyOf(years);
    this.location = location;
  }

  boolean contains(Instant t) {
    ZonedDateTime z = t.atZone(location);
    if (!times.isEmpty()) {
      int minute = z.getHour() * 60 + z.getMinute();
      if (times.stream().noneMatch(r -> minute >= r.from && minute < r.to)) {
        return false;
      }
    }
    int weekday = z.getDayOfWeek().getValue() % 7; // Sunday = 0, as Go
    if (!weekdays.isEmpty() && weekdays.stream().noneMatch(r -> weekday >= r.from && weekday <= r.to)) {
      return false;
    }
    if (!daysOfMonth.isEmpty()) {
      int len = z.toLocalDate().lengthOfMonth();
      int day = z.getDayOfMonth();
      boolean in = false;
      for (Range r : daysOfMonth) {
        int from = r.from < 0 ? len + r.from + 1 : r.from;
        int to = r.to < 0 ? len + r.to + 1 : r.to;
        in |= day >= from && day <= to;
      }
      if (!in) {
        return false;
      }
    }
    int month = z.getMonthValue();
    if (!months.isEmpty() && months.stream().noneMatch(r -> month >= r.from && month <= r.to)) {
      return false;
    }
    int year = z.getYear();
    return years.isEmpty() || years.stream().anyMatch(r -> year >= r.from && year <= r.to);
  }

  // ---- parsing (field is the path used in error messages) ----

  static List<Range> parseTimes(List<String[]> startEnd, String field) {
    List<Range> out = new ArrayList<>();
    for (int i = 0; i < startEnd.size(); i++) {
      String f = field + "[" + i + "]";
      int from = minutes(startEnd.get(i)[0], f + ".start_time");
      int to = minutes(startEnd.get(i)[1], f + ".end_time");
      if (to <= from) {
        throw new ConfigException(f, "end_time " + startEnd.get(i)[1] + " is not after start_time "
            + startEnd.get(i)[0] + " (expected: start_time < end_time)");
      }
      out.add(new Range(from, to));
    }
    return out;
  }

  private static int minutes(String s, String field) {
    if (s == null || !s.matches("\\d{1,2}:\\d{2}")) {
      throw new ConfigException(field, "\"" + s + "\" (expected: HH:MM)");
    }
    int h = Integer.parseInt(s.substring(0, s.indexOf(':')));
    int m = Integer.parseInt(s.substring(s.indexOf(':') + 1));
    if (h > 24 || m > 59 || (h == 24 && m != 0)) {
      throw new ConfigException(field, "\"" + s + "\" (expected: 00:00 to 24:00)");
    }
    return h * 60 + m;
  }

  static List<Range> parseWeekdays(List<String> in, String field) {
    return ranges(in, field, s -> named(s, WEEKDAYS, 0), 0, 6, "a weekday name (sunday..saturday) or a range monday:friday");
  }

  static List<Range> parseMonths(List<String> in, String field) {
    return ranges(in, field, s -> s.matches("\\d+") ? Integer.parseInt(s) : named(s, MONTHS, 1), 1, 12,
        "a month name or number 1-12, or a range january:march");
  }

  static List<Range> parseDaysOfMonth(List<String> in, String field) {
    List<Range> out = ranges(in, field, s -> s.matches("-?\\d+") ? Integer.parseInt(s) : null, -31, 31,
        "a day 1..31 or -31..-1 (from the end), or a range 1:5");
    for (Range r : out) {
      if (r.from == 0 || r.to == 0) {
        throw new ConfigException(field, r.from + ":" + r.to + " (expected: non-zero days, e.g. 1:5 or -3:-1)");
      }
    }
    return out;
  }

  static List<Range> parseYears(List<String> in, String field) {
    return ranges(in, field, s -> s.matches("\\d{4}") ? Integer.parseInt(s) : null, 1, 9999, "a year or a range 2024:2026");
  }

  static ZoneId parseLocation(String s, String field) {
    if (s == null || s.isEmpty()) {
      return ZoneId.of("UTC");
    }
    try {
      return ZoneId.of(s.equals("Local") ? ZoneId.systemDefault().getId() : s);
    } catch (DateTimeException e) {
      throw new ConfigException(field, "\"" + s + "\" (expected: an IANA time zone such as Asia/Shanghai)");
    }
  }

  private static Integer named(String s, List<String> names, int base) {
    int i = names.indexOf(s.toLowerCase(Locale.ROOT));
    return i < 0 ? null : i + base;
  }

  private static List<Range> ranges(List<String> in, String field, java.util.function.Function<String, Integer> one,
      int min, int max, String expected) {
    List<Range> out = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      String s = in.get(i).strip();
      int colon = s.indexOf(':', 1);
      String a = colon < 0 ? s : s.substring(0, colon);
      String b = colon < 0 ? s : s.substring(colon + 1);
      Integer from = one.apply(a);
      Integer to = one.apply(b);
      if (from == null || to == null || from < min || to > max || from > to) {
        throw new ConfigException(field + "[" + i + "]", "\"" + s + "\" (expected: " + expected + ")");
      }
      out.add(new Range(from, to));
    }
    return out;
  }
}
