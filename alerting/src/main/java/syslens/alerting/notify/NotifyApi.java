package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import syslens.alerting.notify.Model.Ack;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.Model.Silence;

/**
 * The notification REST surface, free of any HTTP library: the server passes method, path,
 * query parameters, raw body and the acting user, and turns the {@link Response} into HTTP and
 * its {@link Audit} (when set) into an audit record.
 *
 * <pre>
 * GET  /api/v1/silences[?state=active|pending|expired]   POST /api/v1/silences (create, or update with "id")
 * GET  /api/v1/silences/{id}                            DELETE /api/v1/silences/{id} (expire)
 * GET  /api/v1/receivers                                (integrations without secrets)
 * GET  /api/v1/alerting/config[?format=json]            PUT /api/v1/alerting/config (YAML or JSON, validated)
 * GET  /api/v1/alerting/alerts                          (alerts with silenced/inhibited/maintenance/ack state)
 * GET|POST|DELETE /api/v1/alerts/{fingerprint}/ack      (acknowledge with a comment; stops escalation)
 * GET  /api/v1/notifications?receiver=&from=&to=&limit= (delivery log, newest first)
 * </pre>
 */
public final class NotifyApi {
  /** An HTTP-free response: status, and either data or (errorType, error); audit when something changed. */
  public record Response(int status, Object data, String errorType, String error, Audit audit) {
    static Response ok(Object data) {
      return new Response(200, data, null, null, null);
    }

    static Response ok(Object data, Audit audit) {
      return new Response(200, data, null, null, audit);
    }

    static Response error(int status, String type, String message) {
      return new Response(status, null, type, message, null);
    }
  }

  /** What to append to the audit log. */
  public record Audit(String action, String target, String detail) {}

  /**
   * What a scoped caller may see and silence (the server builds it from the caller's resource
   * scope); {@code null} where a scope is taken means unscoped.
   */
  public interface Scope {
    /** True when an alert with these labels is inside the scope. */
    boolean visible(syslens.storage.Labels labels);

    /** Null when a silence with these matchers can only silence alerts inside the scope, else why not. */
    String silenceProblem(List<Matcher> matchers);
  }

  static final int MAX_LIMIT = 1000;
  private final Notifier notifier;

  public NotifyApi(Notifier notifier) {
    this.notifier = requireNonNull(notifier, "notifier");
  }

  public Response handle(String method, String path, Map<String, String> params, String body, String actor) {
    return handle(method, path, params, body, actor, null);
  }

  /**
   * Like {@link #handle(String, String, Map, String, String)} for a caller limited to {@code
   * scope}: alerts and silences outside it are not listed, a silence that could reach outside it
   * is refused (403), and alerts outside it cannot be acknowledged.
   */
  public Response handle(String method, String path, Map<String, String> params, String body, String actor,
      Scope scope) {
    Response r = route(method, path, params, body, actor, scope);
    if (r.audit() != null && r.status() < 300) {
      notifier.changed(); // configuration, silences or acknowledgements: other instances read them again
    }
    return r;
  }

  private Response route(String method, String path, Map<String, String> params, String body, String actor,
      Scope scope) {
    try {
      String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      if (p.equals("/api/v1/silences")) {
        return switch (method) {
          case "GET" -> Response.ok(silences(params.get("state"), scope));
          case "POST" -> saveSilence(body, actor, scope);
          default -> notAllowed(method, "GET, POST");
        };
      }
      if (p.startsWith("/api/v1/silences/")) {
        String id = p.substring("/api/v1/silences/".length());
        Silence s = notifier.silences().get(id).orElse(null);
        if (s != null && scope != null && scope.silenceProblem(s.matchers()) != null && method.equals("GET")) {
          s = null; // another scope's silence is not shown
        }
        if (s == null) {
          return Response.error(404, "not_found", "silence " + id + " does not exist (expected: an id from GET /api/v1/silences)");
        }
        return switch (method) {
          case "GET" -> Response.ok(silenceJson(s));
          case "DELETE" -> {
            if (scope != null && scope.silenceProblem(s.matchers()) != null) {
              yield Response.error(403, "forbidden", "silence " + id + ": " + scope.silenceProblem(s.matchers()));
            }
            notifier.silences().expire(id);
            yield Response.ok(Map.of("silenceID", id), new Audit("silence.expired", id, s.matchers().toString()));
          }
          default -> notAllowed(method, "GET, DELETE");
        };
      }
      if (p.equals("/api/v1/receivers")) {
        return method.equals("GET") ? Response.ok(receivers(scope)) : notAllowed(method, "GET");
      }
      if (p.equals("/api/v1/alerting/config")) {
        if (scope != null) {
          return Response.error(403, "forbidden", "the notification config covers every team's receivers and routes "
              + "(expected: a user without a resource scope); a team sees its receivers at /api/v1/receivers");
        }
        return switch (method) {
          case "GET" -> Response.ok(configView(params.get("format")));
          case "PUT", "POST" -> putConfig(body, actor);
          default -> notAllowed(method, "GET, PUT");
        };
      }
      if (p.equals("/api/v1/alerting/alerts")) {
        return method.equals("GET") ? Response.ok(alerts(scope)) : notAllowed(method, "GET");
      }
      if (p.startsWith("/api/v1/alerts/") && p.endsWith("/ack")) {
        return ack(method, p.substring("/api/v1/alerts/".length(), p.length() - "/ack".length()), body, actor, scope);
      }
      if (p.equals("/api/v1/notifications")) {
        return method.equals("GET") ? deliveries(params, scope) : notAllowed(method, "GET");
      }
      return Response.error(404, "not_found", "no alerting endpoint at " + path);
    } catch (ConfigException e) {
      return Response.error(400, "bad_data", e.getMessage());
    } catch (NoSuchElementException e) {
      return Response.error(404, "not_found", e.getMessage());
    } catch (IllegalArgumentException e) {
      return Response.error(400, "bad_data", e.getMessage());
    }
  }

  private static Response notAllowed(String method, String allowed) {
    return Response.error(405, "bad_data", "method " + method + " (expected: " + allowed + ")");
  }

  private List<Map<String, Object>> silences(String state, Scope scope) {
    if (state != null && !List.of("active", "pending", "expired").contains(state)) {
      throw new IllegalArgumentException("state: \"" + state + "\" (expected: active, pending or expired)");
    }
    Instant now = notifier.clock().instant();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Silence s : notifier.silences().list()) {
      if ((state == null || s.state(now).equals(state)) && (scope == null || scope.silenceProblem(s.matchers()) == null)) {
        out.add(silenceJson(s));
      }
    }
    return out;
  }

  private Map<String, Object> silenceJson(Silence s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("matchers", s.matchers().stream().map(Matcher::toJson).toList());
    m.put("startsAt", s.startsAt().toString());
    m.put("endsAt", s.endsAt().toString());
    m.put("createdBy", s.createdBy());
    m.put("comment", s.comment());
    m.put("updatedAt", s.updatedAt().toString());
    m.put("status", Map.of("state", s.state(notifier.clock().instant())));
    return m;
  }

  /** Alertmanager v2 PostableSilence: id?, matchers[{name, value, isRegex, isEqual}], startsAt, endsAt, createdBy, comment. */
  private Response saveSilence(String body, String actor, Scope scope) {
    JsonNode n = object(body, "{\"matchers\": [{\"name\": ..., \"value\": ..., \"isRegex\": false}], \"startsAt\": ..., "
        + "\"endsAt\": ..., \"comment\": ...}");
    List<Matcher> ms = new ArrayList<>();
    JsonNode list = n.path("matchers");
    if (!list.isArray()) {
      throw new IllegalArgumentException("matchers: missing (expected: a list of {name, value, isRegex, isEqual})");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      if (!m.path("name").isTextual() || !m.path("value").isTextual()) {
        throw new IllegalArgumentException("matchers[" + i + "]: name and value must be strings");
      }
      try {
        ms.add(Matcher.fromJson(m.get("name").asText(), m.get("value").asText(), m.path("isRegex").asBoolean(false),
            m.path("isEqual").asBoolean(true)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("matchers[" + i + "]: " + e.getMessage());
      }
    }
    Instant now = notifier.clock().instant();
    Instant starts = n.has("startsAt") ? time(n, "startsAt") : now;
    Instant ends = time(n, "endsAt");
    // The author is the authenticated user; a createdBy in the body is ignored.
    String id = n.path("id").isTextual() && !n.get("id").asText().isEmpty() ? n.get("id").asText() : null;
    Silence before = id == null ? null : notifier.silences().get(id).orElse(null);
    if (scope != null) {
      String problem = scope.silenceProblem(ms);
      if (problem == null && before != null) {
        problem = scope.silenceProblem(before.matchers());
      }
      if (problem != null) {
        return Response.error(403, "forbidden", "matchers " + ms + ": " + problem);
      }
    }
    String saved = notifier.silences().save(id, ms, starts, ends, actor, n.path("comment").asText(null));
    String after = ms + " from " + starts + " until " + ends + ": " + n.path("comment").asText("");
    return Response.ok(Map.of("silenceID", saved), new Audit(id == null ? "silence.created" : "silence.updated", saved,
        before == null ? after : "before: " + before.matchers() + " from " + before.startsAt() + " until "
            + before.endsAt() + ": " + before.comment() + "; after: " + after));
  }

  private static Instant time(JsonNode n, String field) {
    try {
      return Instant.parse(n.path(field).asText(""));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": \"" + n.path(field).asText("") + "\" (expected: RFC 3339 time, "
          + "e.g. 2026-12-01T10:00:00Z)");
    }
  }

  /**
   * True when a caller limited to {@code scope} may see receiver {@code r}: one with its own
   * {@code scope} inside the caller's (receivers without one serve every team: unscoped callers only).
   */
  static boolean visible(NotifyConfig.Receiver r, Scope scope) {
    return scope == null || (!r.scope().isEmpty() && scope.silenceProblem(r.scope()) == null);
  }

  private List<Map<String, Object>> receivers(Scope scope) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (NotifyConfig.Receiver r : new TreeMap<>(notifier.dispatcher().config().receivers()).values()) {
      if (!visible(r, scope)) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("scope", r.scope().stream().map(Matcher::toString).toList());
      m.put("language", r.language() == null ? (r.user() == null ? "en" : "user:" + r.user()) : r.language());
      m.put("integrations", r.integrations().stream().map(Integration::view).toList());
      out.add(m);
    }
    return out;
  }

  /**
   * The stored text ({@code {"config": text}}, plus {@code "error"} when it is not in use), or with
   * {@code format=json} the same configuration as a JSON tree; secret values read {@code <secret>}.
   */
  private Object configView(String format) {
    String text = notifier.configText();
    if (format == null || format.equals("text")) {
      String problem = notifier.configProblem();
      return problem == null ? Map.of("config", text) : Map.of("config", text, "error", problem);
    }
    if (!format.equals("json")) {
      throw new IllegalArgumentException("format: \"" + format + "\" (expected: text or json)");
    }
    try {
      return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored config no longer parses", e);
    }
  }

  private Response putConfig(String body, String actor) {
    if (body == null || body.isBlank()) {
      throw new IllegalArgumentException("body: empty (expected: the configuration as YAML or JSON)");
    }
    String text = body;
    JsonNode wrapped = null;
    if (body.stripLeading().startsWith("{")) {
      try {
        wrapped = NotifyStore.JSON.readTree(body);
      } catch (JsonProcessingException e) {
        throw new ConfigException("config", "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
            + e.getLocation().getColumnNr() + " (expected: JSON or YAML)");
      }
    }
    if (wrapped != null && wrapped.size() == 1 && wrapped.path("config").isTextual()) {
      text = wrapped.get("config").asText(); // {"config": "<yaml>"}, as GET returns it
    }
    Notifier.ConfigChange change = notifier.replaceConfig(text, actor);
    NotifyConfig c = notifier.dispatcher().config();
    return Response.ok(Map.of("receivers", c.receivers().size()), new Audit("alerting.config.changed", "alerting",
        c.receivers().size() + " receivers, " + c.inhibitRules().size() + " inhibit rules; "
            + (change.secretsChanged().isEmpty() ? "" : "secrets changed: " + change.secretsChanged() + "; ")
            + lineDiff(change.before(), change.after())));
  }

  /**
   * The lines removed ({@code -}) and added ({@code +}) between two masked config texts, as a
   * multiset difference (no secrets: both texts are masked); the audit log cuts it to its limit.
   */
  static String lineDiff(String before, String after) {
    Map<String, Integer> count = new LinkedHashMap<>();
    List<String> a = before == null ? List.of() : before.lines().toList();
    List<String> b = after.lines().toList();
    a.forEach(l -> count.merge(l, 1, Integer::sum));
    StringBuilder added = new StringBuilder();
    for (String l : b) {
      if (count.merge(l, -1, Integer::sum) < 0) {
        added.append("\n+").append(l);
      }
    }
    StringBuilder out = new StringBuilder("before/after:");
    Map<String, Integer> left = new LinkedHashMap<>(count);
    for (String l : a) {
      Integer n = left.get(l);
      if (n != null && n > 0) {
        out.append("\n-").append(l);
        left.put(l, n - 1);
      }
    }
    return added.isEmpty() && out.length() == "before/after:".length() ? "text unchanged" : out.append(added).toString();
  }

  private List<Map<String, Object>> alerts(Scope scope) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Dispatcher.Status s : notifier.alertStatus()) {
      if (scope != null && !scope.visible(s.alert().labels())) {
        continue;
      }
      Map<String, Object> m = NotifyStore.alertJson(s.alert());
      m.put("fingerprint", s.fingerprint());
      boolean firing = s.alert().firingAt(notifier.clock().instant());
      boolean suppressed = !s.silencedBy().isEmpty() || s.inhibited() || s.maintenance() != null;
      m.put("status", Map.of("state", !firing ? "resolved" : suppressed ? "suppressed" : "active",
          "silencedBy", s.silencedBy(), "inhibited", s.inhibited(),
          "maintenance", s.maintenance() == null ? "" : s.maintenance()));
      m.put("receivers", s.receivers());
      m.put("acknowledged", s.ack() == null ? null : ackJson(s.ack()));
      out.add(m);
    }
    return out;
  }

  private static Map<String, Object> ackJson(Ack a) {
    return Map.of("by", a.by(), "comment", a.comment(), "at", a.at().toString());
  }

  private Response ack(String method, String fp, String body, String actor, Scope scope) {
    if (!fp.matches("[0-9a-f]{16}")) {
      return Response.error(400, "bad_data", "fingerprint: \"" + (fp.length() > 32 ? fp.substring(0, 32) : fp)
          + "\" (expected: 16 hex digits)");
    }
    if (scope != null) {
      boolean visible = false;
      for (Dispatcher.Status s : notifier.alertStatus()) {
        visible |= s.fingerprint().equals(fp) && scope.visible(s.alert().labels());
      }
      if (!visible) {
        return Response.error(404, "not_found", "alert " + fp + " is not known in your scope (expected: a fingerprint "
            + "from GET /api/v1/alerting/alerts)");
      }
    }
    switch (method) {
      case "GET" -> {
        for (Dispatcher.Status s : notifier.alertStatus()) {
          if (s.fingerprint().equals(fp)) {
            return Response.ok(s.ack() == null ? Map.of("acknowledged", false)
                : Map.of("acknowledged", true, "ack", ackJson(s.ack())));
          }
        }
        return Response.error(404, "not_found", "alert " + fp + " is not known (expected: a fingerprint from GET /api/v1/alerting/alerts)");
      }
      case "POST" -> {
        String comment = body == null || body.isBlank() ? "" : object(body, "{\"comment\": \"...\"}").path("comment").asText("");
        if (comment.length() > 1024) {
          throw new IllegalArgumentException("comment: " + comment.length() + " characters (expected: <= 1024)");
        }
        notifier.alertStatus(); // a standby learns the cluster's alerts first (read from the shared state)
        if (!notifier.dispatcher().ack(fp, actor, comment)) {
          return Response.error(404, "not_found", "alert " + fp + " is not known (expected: a fingerprint from GET /api/v1/alerting/alerts)");
        }
        return Response.ok(Map.of("acknowledged", true), new Audit("alert.acknowledged", fp, comment));
      }
      case "DELETE" -> {
        boolean removed = notifier.dispatcher().unack(fp);
        return removed ? Response.ok(Map.of("acknowledged", false), new Audit("alert.unacknowledged", fp, ""))
            : Response.error(404, "not_found", "alert " + fp + " is not acknowledged");
      }
      default -> {
        return notAllowed(method, "GET, POST, DELETE");
      }
    }
  }

  private Response deliveries(Map<String, String> params, Scope scope) {
    Instant now = notifier.clock().instant();
    Instant from = params.containsKey("from") ? param(params, "from") : now.minus(java.time.Duration.ofDays(1));
    Instant to = params.containsKey("to") ? param(params, "to") : now.plusSeconds(60);
    int limit;
    try {
      limit = Integer.parseInt(params.getOrDefault("limit", "100"));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: \"" + params.get("limit") + "\" (expected: 1.." + MAX_LIMIT + ")");
    }
    List<Delivery> rows;
    if (scope == null) {
      rows = notifier.store().deliveries(params.get("receiver"), from, to, limit);
    } else { // a team sees the delivery log of its own receivers only
      rows = new ArrayList<>();
      for (NotifyConfig.Receiver r : notifier.dispatcher().config().receivers().values()) {
        if (visible(r, scope) && (params.get("receiver") == null || params.get("receiver").equals(r.name()))) {
          rows.addAll(notifier.store().deliveries(r.name(), from, to, limit));
        }
      }
      rows.sort(java.util.Comparator.comparingLong(Delivery::id).reversed());
      rows = rows.subList(0, Math.min(limit, rows.size()));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Delivery d : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("notification", d.notificationId());
      m.put("receiver", d.receiver());
      m.put("integration", d.integration());
      m.put("groupKey", d.groupKey());
      m.put("alerts", d.alerts());
      m.put("attempt", d.attempt());
      m.put("status", d.status());
      m.put("error", d.error());
      m.put("time", d.at().toString());
      m.put("durationMs", d.durationMs());
      out.add(m);
    }
    return Response.ok(out);
  }

  private static Instant param(Map<String, String> params, String name) {
    String v = params.get(name);
    try {
      return v.matches("\\d+(\\.\\d+)?") ? Instant.ofEpochMilli((long) (Double.parseDouble(v) * 1000)) : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: RFC 3339 or Unix seconds)");
    }
  }

  private static JsonNode object(String body, String expected) {
    try {
      JsonNode n = body == null ? null : NotifyStore.JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("body: not a JSON object (expected: " + expected + ")");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body: malformed JSON at line " + e.getLocation().getLineNr()
          + " (expected: " + expected + ")");
    }
  }
}
