package syslens.server.dashboards;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.api.ApiErrors;
import syslens.server.api.JsonObjectBody;
import syslens.server.auth.AuthDecorator;

/**
 * {@code /api/v1/dashboards} and {@code /api/v1/dashboards/{id}}: custom dashboards kept per user
 * in the metadata database (migration V10), optionally shared with every user who may read
 * dashboards. Reading needs {@code monitoring:dashboard:read}, saving {@code monitoring:dashboard:write}
 * (AccessRules); only the owner changes or deletes a dashboard. A save names the version it edited
 * (409 when another save came first). Bodies of at most 256 KiB, at most {@value #MAX_PER_USER}
 * dashboards per user; a bad document answers 400 naming the field ({@link DashboardDocs}). Work
 * runs on the blocking executor; every change is audited.
 */
public final class DashboardsApi implements HttpService {
  public static final String BASE = "/api/v1/dashboards";
  static final int MAX_BODY = 256 * 1024;
  static final int MAX_PER_USER = 100;
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EXAMPLE = "{\"title\": ..., \"shared\": false, \"variables\": [...], \"panels\": [...]}";
  private final DashboardStore store;
  private final AuditLog audit;
  private final Clock clock;

  private DashboardsApi(DashboardStore store, AuditLog audit, Clock clock) {
    this.store = store;
    this.audit = audit;
    this.clock = clock;
  }

  public static DashboardsApi create(DataSource db, AuditLog audit, Clock clock) {
    return new DashboardsApi(new DashboardStore(requireNonNull(db, "db")), requireNonNull(audit, "audit"),
        requireNonNull(clock, "clock"));
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    String user = who == null ? "unknown" : who.username();
    String source = ctx.clientAddress().getHostAddress();
    String id = ctx.pathParam("id");
    HttpMethod method = req.method();
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      if (id == null) {
        return switch (method) {
          case GET, HEAD -> list(user);
          case POST -> create(agg, user, source);
          default -> notAllowed(method, "GET or POST");
        };
      }
      if (!ID.matcher(id).matches()) {
        return notFound(id);
      }
      return switch (method) {
        case GET, HEAD -> get(id, user);
        case PUT -> update(id, agg, user, source);
        case DELETE -> delete(id, user, source);
        default -> notAllowed(method, "GET, PUT or DELETE");
      };
    }, ctx.blockingTaskExecutor()));
  }

  private HttpResponse list(String user) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (DashboardStore.Row r : store.visibleTo(user)) {
      out.add(summary(r));
    }
    return ApiErrors.success(out);
  }

  private HttpResponse get(String id, String user) {
    Optional<DashboardStore.Row> row = store.find(id).filter(r -> r.owner().equals(user) || r.shared());
    return row.map(r -> ApiErrors.success(full(r))).orElseGet(() -> notFound(id));
  }

  private HttpResponse create(AggregatedHttpRequest agg, String user, String source) {
    Parsed p = parse(agg);
    if (p.error != null) {
      return p.error;
    }
    if (store.countOwnedBy(user) >= MAX_PER_USER) {
      return ApiErrors.error(HttpStatus.CONFLICT, "conflict", "dashboards: " + MAX_PER_USER
          + " owned by " + user + " (expected: at most " + MAX_PER_USER + "; delete one first)");
    }
    DashboardStore.Row r = new DashboardStore.Row(UUID.randomUUID().toString(), user, p.title, p.shared, 1, p.json,
        clock.millis(), user);
    store.insert(r);
    audit.append(user, "dashboard.create", r.id(), source, "title=" + r.title() + " shared=" + r.shared());
    return HttpResponse.ofJson(HttpStatus.CREATED, envelope(full(r)));
  }

  private HttpResponse update(String id, AggregatedHttpRequest agg, String user, String source) {
    Optional<DashboardStore.Row> found = store.find(id).filter(r -> r.owner().equals(user) || r.shared());
    if (found.isEmpty()) {
      return notFound(id);
    }
    DashboardStore.Row old = found.get();
    if (!old.owner().equals(user)) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "dashboard " + id + " belongs to " + old.owner()
          + " (expected: your own dashboard; save a copy instead)");
    }
    Parsed p = parse(agg);
    if (p.error != null) {
      return p.error;
    }
    if (p.version == null) {
      return ApiErrors.badData("version: missing (expected: the version being edited, " + old.version() + ")");
    }
    DashboardStore.Row r = new DashboardStore.Row(id, user, p.title, p.shared, old.version() + 1, p.json,
        clock.millis(), user);
    if (p.version != old.version() || !store.update(r, old.version())) {
      return ApiErrors.error(HttpStatus.CONFLICT, "conflict", "version: " + p.version + " (expected: "
          + store.find(id).map(DashboardStore.Row::version).orElse(old.version())
          + "; the dashboard was saved since it was opened)");
    }
    audit.append(user, "dashboard.update", id, source, "title=" + r.title() + " shared=" + r.shared()
        + " version=" + r.version());
    return ApiErrors.success(full(r));
  }

  private HttpResponse delete(String id, String user, String source) {
    Optional<DashboardStore.Row> found = store.find(id).filter(r -> r.owner().equals(user) || r.shared());
    if (found.isEmpty()) {
      return notFound(id);
    }
    if (!found.get().owner().equals(user)) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "dashboard " + id + " belongs to "
          + found.get().owner() + " (expected: your own dashboard)");
    }
    store.delete(id);
    audit.append(user, "dashboard.delete", id, source, "title=" + found.get().title());
    return ApiErrors.success(Map.of("id", id));
  }

  /** A request body checked into the normalised document (as JSON text), or the error answer. */
  private record Parsed(String title, boolean shared, Long version, String json, HttpResponse error) {
    static Parsed failed(HttpResponse error) {
      return new Parsed(null, false, null, null, error);
    }
  }

  private static Parsed parse(AggregatedHttpRequest agg) {
    JsonObjectBody body = JsonObjectBody.parse(agg, MAX_BODY, EXAMPLE);
    if (body.error() != null) {
      return Parsed.failed(body.error());
    }
    try {
      Map<String, Object> doc = DashboardDocs.check(body.body());
      boolean shared = DashboardDocs.bool(body.body().get("shared"), "shared");
      Object v = body.body().get("version");
      if (v != null && !(v instanceof Number)) {
        return Parsed.failed(ApiErrors.badData("version: " + v + " (expected: a whole number)"));
      }
      return new Parsed((String) doc.get("title"), shared, v == null ? null : ((Number) v).longValue(),
          JSON.writeValueAsString(doc), null);
    } catch (DashboardDocs.Invalid e) {
      return Parsed.failed(ApiErrors.badData(e.getMessage()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing a checked dashboard failed", e);
    }
  }

  private static Map<String, Object> summary(DashboardStore.Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("title", r.title());
    m.put("owner", r.owner());
    m.put("shared", r.shared());
    m.put("version", r.version());
    m.put("updatedAt", r.updatedAt());
    m.put("updatedBy", r.updatedBy());
    return m;
  }

  private static Map<String, Object> full(DashboardStore.Row r) {
    Map<String, Object> m = summary(r);
    try {
      m.put("dashboard", JSON.readValue(r.body(), new TypeReference<Map<String, Object>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored dashboard " + r.id() + " is not JSON", e);
    }
    return m;
  }

  private static Map<String, Object> envelope(Object data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.put("data", data);
    return body;
  }

  private static HttpResponse notFound(String id) {
    String shown = id.length() > 64 ? id.substring(0, 64) + "…" : id;
    return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "dashboard " + JsonSafe.quote(shown)
        + " not found (expected: the id of your own or a shared dashboard)");
  }

  private static HttpResponse notAllowed(HttpMethod m, String expected) {
    return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + m + " (expected: " + expected + ")");
  }

  /** Quotes an id for a message with control characters escaped. */
  static final class JsonSafe {
    private JsonSafe() {}

    static String quote(String s) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : c);
      }
      return b.append('"').toString();
    }
  }
}
