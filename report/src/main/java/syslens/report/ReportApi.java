package syslens.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import syslens.query.QueryException;
import syslens.storage.Queryable;

/**
 * The reports REST surface, free of any HTTP library (the server passes method, path, body, the
 * acting user and the storage as that user may see it, and turns the {@link Response} into HTTP
 * and its {@link Audit} into an audit record).
 *
 * <pre>
 * POST /api/v1/reports               run now: {"kind": "utilization" | [...] (or alerts), "scope": {"kind": "cluster",
 *                                    "value": "c1"}, "period": "30d" | "start"/"end", "format": "pdf",
 *                                    "language": "en", "timezone": "Europe/Berlin"} -> the stored entry
 * GET  /api/v1/reports               the caller's reports, newest first
 * GET  /api/v1/reports/{id}          one entry
 * GET  /api/v1/reports/{id}/file     the document (PDF, CSV or XLSX)
 * GET  /api/v1/reports/{id}/preview  JSON the dashboard renders (texts in the report's language)
 * </pre>
 */
public final class ReportApi {
  public static final String BASE = "/api/v1/reports";
  public static final int MAX_BODY = 16 * 1024;
  static final Pattern PERIOD = Pattern.compile("([1-9][0-9]{0,5})([hdwy])");

  /** An HTTP-free response: data (JSON) or a file, or (errorType, error); audit when a report ran. */
  public record Response(int status, Object data, String errorType, String error, Audit audit, Path file,
      String contentType, String fileName) {
    static Response ok(Object data, Audit audit) {
      return new Response(200, data, null, null, audit, null, null, null);
    }

    static Response error(int status, String type, String message, Audit audit) {
      return new Response(status, null, type, message, audit, null, null, null);
    }
  }

  /** What to append to the audit log. */
  public record Audit(String action, String target, String detail) {}

  private final ReportService service;
  private final Clock clock;

  public ReportApi(ReportService service, Clock clock) {
    this.service = requireNonNull(service, "service");
    this.clock = requireNonNull(clock, "clock");
  }

  public Response handle(String method, String path, String body, String actor, Queryable visible) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    try {
      if (p.equals(BASE)) {
        return switch (method) {
          case "GET" -> Response.ok(service.list(actor), null);
          case "POST" -> run(body, actor, visible);
          default -> notAllowed(method, "GET, POST");
        };
      }
      if (!p.startsWith(BASE + "/")) {
        return Response.error(404, "not_found", "no reports endpoint at " + path, null);
      }
      String[] parts = p.substring(BASE.length() + 1).split("/");
      if (!method.equals("GET") && !method.equals("HEAD")) {
        return notAllowed(method, "GET");
      }
      var entry = service.get(parts[0], actor).orElse(null);
      if (entry == null || parts.length > 2) {
        return Response.error(404, "not_found", "report " + parts[0] + " does not exist (expected: an id from GET "
            + BASE + ")", null);
      }
      if (parts.length == 1) {
        return Response.ok(entry, null);
      }
      return switch (parts[1]) {
        case "file" -> new Response(200, null, null, null, null, service.store().file(entry), contentType(entry.format()),
            "syslens-report-" + entry.start().substring(0, 10) + "-" + entry.id().substring(0, 8) + "." + entry.format());
        case "preview" -> new Response(200, null, null, null, null, service.store().preview(entry),
            "application/json; charset=utf-8", null);
        default -> Response.error(404, "not_found", "no reports endpoint at " + path + " (expected: "
            + BASE + "/{id}, /{id}/file or /{id}/preview)", null);
      };
    } catch (IllegalArgumentException e) {
      return Response.error(400, "bad_data", e.getMessage(), null);
    }
  }

  static String contentType(String format) {
    return switch (format) {
      case "pdf" -> "application/pdf";
      case "csv" -> "text/csv; charset=utf-8";
      default -> "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    };
  }

  private static Response notAllowed(String method, String allowed) {
    return Response.error(405, "bad_data", "method " + method + " (expected: " + allowed + ")", null);
  }

  private Response run(String body, String actor, Queryable visible) {
    JsonNode n = object(body, "{\"kind\": \"utilization\", \"period\": \"30d\", \"format\": \"pdf\", "
        + "\"language\": \"en\"}");
    ReportRequest request = request(n);
    String format = text(n, "format", "pdf");
    String detail = "kinds=" + request.kinds() + " scope=" + request.scope().describe() + " period=" + request.start()
        + "/" + request.end() + " format=" + format + " language=" + request.language();
    try {
      var e = service.run(request, format, actor, visible);
      return new Response(201, e, null, null, new Audit("report.run", e.id(), detail), null, null, null);
    } catch (ReportService.BusyException e) {
      return Response.error(503, "unavailable", e.getMessage(), new Audit("report.refused", "-", detail));
    } catch (QueryException e) {
      return Response.error(422, "execution", "report: " + e.getMessage(), new Audit("report.failed", "-", detail));
    } catch (IllegalStateException | IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      return Response.error(500, "internal", "report: " + why, new Audit("report.failed", "-", detail + " error=" + why));
    }
  }

  private ReportRequest request(JsonNode n) {
    List<Kind> kinds = kinds(n);
    ReportScope scope = scope(n);
    ZoneId zone = zone(n);
    Instant start;
    Instant end;
    if (n.has("start") || n.has("end")) {
      start = instant(n, "start");
      end = instant(n, "end");
    } else {
      Matcher m = PERIOD.matcher(text(n, "period", "7d"));
      if (!m.matches()) {
        throw new IllegalArgumentException("period: \"" + n.path("period").asText() + "\" (expected: a length such as "
            + "24h, 7d, 4w, 1y, or start and end)");
      }
      long count = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "h" -> Duration.ofHours(count);
        case "d" -> Duration.ofDays(count);
        case "w" -> Duration.ofDays(7 * count);
        default -> Duration.ofDays(365 * count);
      };
      end = clock.instant();
      start = end.minus(d);
    }
    return new ReportRequest(kinds, scope, start, end, text(n, "language", "en"), zone);
  }

  /** The body's {@code kind}: one kind, a comma-separated list or an array. */
  static List<Kind> kinds(JsonNode n) {
    List<Kind> kinds = new ArrayList<>();
    JsonNode k = n.path("kind");
    if (k.isTextual()) {
      for (String s : k.asText().split(",", Kind.values().length + 1)) {
        kinds.add(Kind.parse(s));
      }
    } else if (k.isArray() && k.size() <= Kind.values().length) {
      for (JsonNode s : k) {
        kinds.add(Kind.parse(s.asText()));
      }
    } else {
      throw new IllegalArgumentException("kind: " + (k.isMissingNode() ? "missing" : k.toString())
          + " (expected: utilization, rightsizing, availability, capacity or alerts, or a list of them)");
    }
    return kinds;
  }

  /** The body's {@code scope}: {"kind": ..., "value": ...}, a kind alone, or absent for all. */
  static ReportScope scope(JsonNode n) {
    JsonNode sc = n.path("scope");
    return sc.isMissingNode() || sc.isNull() ? ReportScope.all()
        : sc.isObject() ? ReportScope.parse(sc.path("kind").asText("all"), sc.path("value").asText(""))
        : ReportScope.parse(sc.asText(), "");
  }

  /** The body's {@code timezone} (default UTC). */
  static ZoneId zone(JsonNode n) {
    if (!n.has("timezone") || n.get("timezone").isNull()) {
      return ZoneOffset.UTC;
    }
    String z = n.get("timezone").asText();
    try {
      return ZoneId.of(z);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timezone: \"" + (z.length() > 64 ? z.substring(0, 64) + "..." : z)
          + "\" (expected: an IANA zone such as Europe/Berlin)");
    }
  }

  /** Parses a JSON object body of at most {@link #MAX_BODY} characters. */
  static JsonNode object(String body, String example) {
    if (body != null && body.length() > MAX_BODY) {
      throw new IllegalArgumentException("body: " + body.length() + " characters (expected: <= " + MAX_BODY + ")");
    }
    JsonNode n;
    try {
      n = ReportStore.JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body: not JSON (" + e.getOriginalMessage() + "); expected: " + example);
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException("body: " + n.getNodeType() + " (expected: a JSON object)");
    }
    return n;
  }

  static String text(JsonNode n, String field, String dflt) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a string)");
    }
    return v.asText();
  }

  private static Instant instant(JsonNode n, String field) {
    String s = text(n, field, null);
    if (s == null) {
      throw new IllegalArgumentException(field + ": missing (expected: an RFC 3339 time such as 2026-11-01T00:00:00Z)");
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(field + ": \"" + s + "\" (expected: an RFC 3339 time such as "
          + "2026-11-01T00:00:00Z)");
    }
  }
}
