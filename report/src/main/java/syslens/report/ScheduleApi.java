package syslens.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import syslens.report.ReportApi.Audit;
import syslens.report.ReportApi.Response;
import syslens.report.Schedule.Cadence;
import syslens.report.Schedule.Recipient;

/**
 * The report schedules REST surface, free of any HTTP library (as {@link ReportApi}). A schedule
 * belongs to the user who created it: others get 403. Every change and every run is audited.
 *
 * <pre>
 * GET    /api/v1/report-schedules           the caller's schedules with their next run
 * POST   /api/v1/report-schedules           create: {"name", "cadence": "daily" | "weekly" | "monthly", "day",
 *                                           "at": "07:30", "timezone": "Europe/Berlin", "kind": [...], "scope",
 *                                           "language", "recipients": [{"user": "alice"}, {"group": "operator"},
 *                                           {"address": "cfo@example.org", "language": "ja-JP"}]}
 * GET    /api/v1/report-schedules/{id}      one schedule
 * PUT    /api/v1/report-schedules/{id}      replace it (same body as POST)
 * DELETE /api/v1/report-schedules/{id}      delete it
 * POST   /api/v1/report-schedules/{id}/run  run it now over the period just ended and mail it
 * </pre>
 */
public final class ScheduleApi {
  public static final String BASE = "/api/v1/report-schedules";
  /** Schedules one user may own. */
  public static final int MAX_PER_OWNER = 100;
  private static final String EXAMPLE = "{\"cadence\": \"weekly\", \"day\": 1, \"at\": \"07:30\", \"timezone\": "
      + "\"Europe/Berlin\", \"kind\": \"utilization\", \"recipients\": [{\"address\": \"ops@example.org\"}]}";

  private final ReportScheduler scheduler;
  private final java.security.SecureRandom random = new java.security.SecureRandom();

  public ScheduleApi(ReportScheduler scheduler) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  public Response handle(String method, String path, String body, String actor) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    try {
      if (p.equals(BASE)) {
        return switch (method) {
          case "GET", "HEAD" -> Response.ok(scheduler.list().stream().filter(s -> s.owner().equals(actor))
              .sorted(java.util.Comparator.comparing(Schedule::name).thenComparing(Schedule::id)).map(this::view).toList(),
              null);
          case "POST" -> create(body, actor);
          default -> notAllowed(method, "GET, POST");
        };
      }
      if (!p.startsWith(BASE + "/")) {
        return Response.error(404, "not_found", "no report schedules endpoint at " + path, null);
      }
      String[] parts = p.substring(BASE.length() + 1).split("/", -1);
      if (parts.length > 2 || (parts.length == 2 && !parts[1].equals("run"))) {
        return Response.error(404, "not_found", "no report schedules endpoint at " + path + " (expected: " + BASE
            + "/{id} or " + BASE + "/{id}/run)", null);
      }
      Optional<Schedule> found = scheduler.get(parts[0]);
      if (found.isEmpty()) {
        return Response.error(404, "not_found", "report schedule " + abbreviate(parts[0]) + " does not exist "
            + "(expected: an id from GET " + BASE + ")", null);
      }
      Schedule s = found.get();
      if (!s.owner().equals(actor)) {
        return Response.error(403, "forbidden", "report schedule " + s.id() + " belongs to another user (expected: "
            + "one of your own schedules)", new Audit("report.schedule.refused", s.id(), method + " " + p));
      }
      if (parts.length == 2) {
        return method.equals("POST") ? run(s) : notAllowed(method, "POST");
      }
      return switch (method) {
        case "GET", "HEAD" -> Response.ok(view(s), null);
        case "PUT" -> {
          Schedule updated = parse(body, s.id(), actor);
          scheduler.put(updated);
          yield Response.ok(view(updated), new Audit("report.schedule.updated", s.id(), describe(updated)));
        }
        case "DELETE" -> {
          scheduler.remove(s.id());
          yield Response.ok(Map.of("deleted", s.id()), new Audit("report.schedule.deleted", s.id(), describe(s)));
        }
        default -> notAllowed(method, "GET, PUT, DELETE");
      };
    } catch (IllegalArgumentException e) {
      return Response.error(400, "bad_data", e.getMessage(), null);
    }
  }

  private static Response notAllowed(String method, String allowed) {
    return Response.error(405, "bad_data", "method " + method + " (expected: " + allowed + ")", null);
  }

  private Response create(String body, String actor) {
    long owned = scheduler.list().stream().filter(s -> s.owner().equals(actor)).count();
    if (owned >= MAX_PER_OWNER) {
      throw new IllegalArgumentException("schedules: " + owned + " (expected: at most " + MAX_PER_OWNER
          + " per user; delete one first)");
    }
    Schedule s = parse(body, HexFormat.of().formatHex(id()), actor);
    scheduler.put(s);
    return new Response(201, view(s), null, null, new Audit("report.schedule.created", s.id(), describe(s)), null, null,
        null);
  }

  private Response run(Schedule s) {
    try {
      ReportScheduler.Outcome o = scheduler.runNow(s.id());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("report", o.reportId());
      out.put("sent", o.sent());
      out.put("failed", o.failed());
      return Response.ok(out, new Audit("report.schedule.run", s.id(), "report=" + o.reportId() + " sent=" + o.sent().size()
          + " failed=" + o.failed().keySet()));
    } catch (IllegalStateException | IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      return Response.error(500, "internal", "report schedule " + s.id() + ": " + why,
          new Audit("report.schedule.failed", s.id(), why));
    } catch (syslens.query.QueryException e) {
      return Response.error(422, "execution", "report schedule " + s.id() + ": " + e.getMessage(),
          new Audit("report.schedule.failed", s.id(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Response.error(503, "unavailable", "report schedule " + s.id() + ": interrupted", null);
    }
  }

  private byte[] id() {
    byte[] b = new byte[12];
    random.nextBytes(b);
    return b;
  }

  /** Parses and checks a schedule body; its recipients must resolve to mailboxes now. */
  Schedule parse(String body, String id, String owner) {
    JsonNode n = ReportApi.object(body, EXAMPLE);
    String cadenceText = ReportApi.text(n, "cadence", null);
    if (cadenceText == null) {
      throw new IllegalArgumentException("cadence: missing (expected: daily, weekly or monthly)");
    }
    Cadence cadence;
    try {
      cadence = Cadence.valueOf(cadenceText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cadence: \"" + abbreviate(cadenceText) + "\" (expected: daily, weekly or monthly)");
    }
    JsonNode d = n.path("day");
    int day;
    if (cadence == Cadence.DAILY && (d.isMissingNode() || d.isNull())) {
      day = 0;
    } else if (d.isInt()) {
      day = d.asInt();
    } else {
      throw new IllegalArgumentException("day: " + (d.isMissingNode() ? "missing" : abbreviate(d.toString())) + " (expected: "
          + (cadence == Cadence.WEEKLY ? "1 = Monday to 7 = Sunday" : cadence == Cadence.MONTHLY ? "1 to 28"
          : "none for a daily schedule") + ")");
    }
    if (cadence == Cadence.DAILY && day != 0) {
      throw new IllegalArgumentException("day: " + day + " (expected: none for a daily schedule)");
    }
    String atText = ReportApi.text(n, "at", null);
    LocalTime at;
    try {
      if (atText == null || !atText.matches("[0-2][0-9]:[0-5][0-9]")) {
        throw new DateTimeParseException("", atText == null ? "" : atText, 0);
      }
      at = LocalTime.parse(atText);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("at: " + (atText == null ? "missing" : "\"" + abbreviate(atText) + "\"")
          + " (expected: a local time HH:MM from 00:00 to 23:59, e.g. 07:30)");
    }
    JsonNode rs = n.path("recipients");
    if (!rs.isArray() || rs.isEmpty()) {
      throw new IllegalArgumentException("recipients: " + (rs.isMissingNode() ? "missing" : rs.isArray() ? "empty"
          : abbreviate(rs.toString())) + " (expected: 1 to " + Schedule.MAX_RECIPIENTS + " of {\"user\": name}, "
          + "{\"group\": role}, {\"address\": e-mail, \"language\": \"en\"})");
    }
    if (rs.size() > Schedule.MAX_RECIPIENTS) {
      throw new IllegalArgumentException("recipients: " + rs.size() + " (expected: 1 to " + Schedule.MAX_RECIPIENTS + ")");
    }
    List<Recipient> recipients = new ArrayList<>();
    for (int i = 0; i < rs.size(); i++) {
      recipients.add(recipient(rs.get(i), i));
    }
    Schedule s = new Schedule(id, owner, ReportApi.text(n, "name", ""), cadence, day, at, ReportApi.zone(n),
        ReportApi.kinds(n), ReportApi.scope(n), recipients, ReportApi.text(n, "language", "en"));
    scheduler.mailboxes(s); // an unknown user, a user without e-mail, an empty group: 400 now, not a failed run later
    return s;
  }

  private static Recipient recipient(JsonNode r, int i) {
    String where = "recipients[" + i + "]";
    if (!r.isObject()) {
      throw new IllegalArgumentException(where + ": " + abbreviate(r.toString()) + " (expected: {\"user\": name}, "
          + "{\"group\": role} or {\"address\": e-mail})");
    }
    String lang = ReportApi.text(r, "language", null);
    for (Recipient.Type t : Recipient.Type.values()) {
      String key = t.name().toLowerCase(Locale.ROOT);
      String v = ReportApi.text(r, key, null);
      if (v != null) {
        if (t != Recipient.Type.ADDRESS && lang != null) {
          throw new IllegalArgumentException(where + ".language: set for a " + key + " (expected: only for an address; "
              + "users get their own language)");
        }
        try {
          return new Recipient(t, v.trim(), t == Recipient.Type.ADDRESS && lang == null ? "en" : lang);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
      }
    }
    throw new IllegalArgumentException(where + ": " + abbreviate(r.toString()) + " (expected: one of user, group, address)");
  }

  static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static String describe(Schedule s) {
    return "name=" + s.name() + " cadence=" + s.cadence().name().toLowerCase(Locale.ROOT) + " day=" + s.day() + " at="
        + s.at() + " zone=" + s.zone() + " kinds=" + s.kinds() + " scope=" + s.scope().describe() + " recipients="
        + s.recipients().size();
  }

  /** A schedule as the API shows it (and as the server stores it). */
  Map<String, Object> view(Schedule s) {
    Map<String, Object> m = toJson(s);
    scheduler.status(s.id()).ifPresent(st -> {
      m.put("nextRun", st.due().toString());
      m.put("attempt", st.attempt());
      m.put("lastError", st.lastError());
    });
    return m;
  }

  /** The stored form: what POST takes plus id and owner. */
  public static Map<String, Object> toJson(Schedule s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("owner", s.owner());
    m.put("name", s.name());
    m.put("cadence", s.cadence().name().toLowerCase(Locale.ROOT));
    if (s.cadence() != Cadence.DAILY) {
      m.put("day", s.day());
    }
    m.put("at", s.at().toString());
    m.put("timezone", s.zone().getId());
    m.put("kind", s.kinds().stream().map(Kind::key).toList());
    m.put("scope", Map.of("kind", s.scope().kind(), "value", s.scope().value()));
    m.put("language", s.language());
    List<Map<String, String>> rs = new ArrayList<>();
    for (Recipient r : s.recipients()) {
      Map<String, String> x = new LinkedHashMap<>();
      x.put(r.type().name().toLowerCase(Locale.ROOT), r.value());
      if (r.type() == Recipient.Type.ADDRESS) {
        x.put("language", r.language());
      }
      rs.add(x);
    }
    m.put("recipients", rs);
    return m;
  }

  /** Reads a stored schedule back (the server's database keeps {@link #toJson} as text). */
  public static Schedule fromJson(String json) {
    JsonNode n = ReportApi.object(json, EXAMPLE);
    List<Recipient> rs = new ArrayList<>();
    for (int i = 0; i < n.path("recipients").size(); i++) {
      rs.add(recipient(n.path("recipients").get(i), i));
    }
    return new Schedule(n.path("id").asText(), n.path("owner").asText(), n.path("name").asText(""),
        Cadence.valueOf(n.path("cadence").asText().toUpperCase(Locale.ROOT)), n.path("day").asInt(0),
        LocalTime.parse(n.path("at").asText()), ReportApi.zone(n), ReportApi.kinds(n), ReportApi.scope(n), rs,
        n.path("language").asText("en"));
  }

  /** {@link #toJson} as text. */
  public static String toText(Schedule s) {
    try {
      return ReportStore.JSON.writeValueAsString(toJson(s));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
