package syslens.report;

import static java.util.Objects.requireNonNull;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

/**
 * A report sent on a calendar: daily, weekly (on {@code day} 1 = Monday .. 7) or monthly (on
 * {@code day} 1..28) at {@code at} in {@code zone}. Each run covers the period just ended: the
 * previous day, the previous 7 days, the previous calendar month. Recipients each get the report
 * in their language; the owner's history keeps a copy in {@code language}.
 */
public record Schedule(String id, String owner, String name, Cadence cadence, int day, LocalTime at, ZoneId zone,
    List<Kind> kinds, ReportScope scope, List<Recipient> recipients, String language) {
  public static final int MAX_RECIPIENTS = 50;
  public static final int MAX_NAME_CHARS = 200;

  public enum Cadence { DAILY, WEEKLY, MONTHLY }

  /**
   * Who gets the report: a SysLens {@code user} (their e-mail and preferred language), a {@code
   * group} of users (every user holding that role), or a plain {@code address} in {@code language}.
   */
  public record Recipient(Type type, String value, String language) {
    public enum Type { USER, GROUP, ADDRESS }

    static final int MAX_CHARS = 254;

    public Recipient {
      requireNonNull(type, "type");
      requireNonNull(value, "value");
      if (value.isEmpty() || value.length() > MAX_CHARS) {
        throw new IllegalArgumentException("recipient " + type.name().toLowerCase(java.util.Locale.ROOT) + ": "
            + (value.isEmpty() ? "empty" : value.length() + " characters") + " (expected: 1 to " + MAX_CHARS + " characters)");
      }
      if (type == Type.ADDRESS && !isAddress(value)) {
        throw new IllegalArgumentException("recipient address: \"" + value + "\" (expected: an address such as "
            + "ops@example.org)");
      }
      if (language != null && !ReportRequest.LANGUAGES.contains(language)) {
        throw new IllegalArgumentException("recipient " + value + ": language \"" + language
            + "\" (expected: en, zh-CN or ja-JP)");
      }
    }

    /** A plain address in {@code language}. */
    public static Recipient address(String address, String language) {
      return new Recipient(Type.ADDRESS, address, language == null ? "en" : language);
    }

    public static boolean isAddress(String s) {
      return s.length() <= MAX_CHARS && s.matches("[^@\\s,<>\"]+@[^@\\s,<>\"]+");
    }
  }

  /** Where one copy goes: an address, the language to write it in, the SysLens user behind it (or null). */
  public record Mailbox(String address, String language, String user) {}

  public Schedule {
    requireNonNull(id, "id");
    requireNonNull(owner, "owner");
    name = name == null ? "" : name;
    if (name.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException("name: " + name.length() + " characters (expected: at most " + MAX_NAME_CHARS + ")");
    }
    language = language == null ? "en" : language;
    if (!ReportRequest.LANGUAGES.contains(language)) {
      throw new IllegalArgumentException("language: \"" + language + "\" (expected: en, zh-CN or ja-JP)");
    }
    requireNonNull(cadence, "cadence");
    requireNonNull(at, "at");
    requireNonNull(zone, "zone");
    kinds = List.copyOf(kinds);
    requireNonNull(scope, "scope");
    recipients = List.copyOf(recipients);
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("kinds: empty (expected: at least one report kind)");
    }
    if (recipients.isEmpty() || recipients.size() > MAX_RECIPIENTS) {
      throw new IllegalArgumentException("recipients: " + recipients.size() + " (expected: 1 to " + MAX_RECIPIENTS
          + " users, groups or addresses)");
    }
    switch (cadence) {
      case WEEKLY -> {
        if (day < 1 || day > 7) {
          throw new IllegalArgumentException("day: " + day + " (expected: 1 = Monday to 7 = Sunday for a weekly schedule)");
        }
      }
      case MONTHLY -> {
        if (day < 1 || day > 28) {
          throw new IllegalArgumentException("day: " + day + " (expected: 1 to 28 for a monthly schedule)");
        }
      }
      case DAILY -> { }
    }
  }

  /** The first run strictly after {@code after}. */
  public Instant next(Instant after) {
    ZonedDateTime now = after.atZone(zone);
    LocalDate d = now.toLocalDate();
    for (int i = 0; i < 400; i++, d = d.plusDays(1)) {
      boolean dayOk = switch (cadence) {
        case DAILY -> true;
        case WEEKLY -> d.getDayOfWeek() == DayOfWeek.of(day);
        case MONTHLY -> d.getDayOfMonth() == day;
      };
      if (dayOk) {
        Instant t = ZonedDateTime.of(d, at, zone).toInstant();
        if (t.isAfter(after)) {
          return t;
        }
      }
    }
    throw new IllegalStateException("schedule " + id + " has no run within 400 days");
  }

  /** The period a run at {@code fire} covers: [start, end), whole days in the schedule's zone. */
  public Instant[] period(Instant fire) {
    LocalDate today = fire.atZone(zone).toLocalDate();
    LocalDate start = switch (cadence) {
      case DAILY -> today.minusDays(1);
      case WEEKLY -> today.minusDays(7);
      case MONTHLY -> today.minusMonths(1).with(TemporalAdjusters.firstDayOfMonth());
    };
    LocalDate end = cadence == Cadence.MONTHLY ? today.with(TemporalAdjusters.firstDayOfMonth()) : today;
    return new Instant[] {start.atStartOfDay(zone).toInstant(), end.atStartOfDay(zone).toInstant()};
  }
}
