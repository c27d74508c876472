package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import syslens.alerting.rules.GroupSpec;
import syslens.alerting.rules.GroupView;
import syslens.alerting.rules.RuleFiles;
import syslens.alerting.rules.RuleJson;
import syslens.alerting.rules.RuleManager;
import syslens.alerting.rules.RuleService;
import syslens.alerting.rules.RuleSpec;
import syslens.alerting.rules.RuleView;
import syslens.alerting.rules.StateStore;
import syslens.query.PromFormat;
import syslens.query.PromqlScript;
import syslens.query.QueryException;
import syslens.server.auth.RequestScope;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;

/**
 * The rules half of alerting over HTTP (permissions in {@code AccessRules}):
 * <ul>
 *   <li>{@code GET /api/v1/rules}, {@code GET /api/v1/alerts}: Prometheus' API, unchanged shape
 *   <li>{@code GET|POST /api/v1/alert-rules}: list groups (JSON model); create or replace groups
 *       from a JSON group or a Prometheus rule file in YAML ({@code Content-Type:
 *       application/yaml}, or any body starting with {@code groups:})
 *   <li>{@code GET|PUT|DELETE /api/v1/alert-rules/{group}}
 *   <li>{@code GET /api/v1/alerts/history?rule=&node=&level=&start=&end=&limit=&offset=}
 *   <li>{@code GET /api/v1/alerts/baseline?rule=&series={node="a"}&start=&end=&step=}: the
 *       anomaly band (median, lower, upper) of one series for the dashboard
 * </ul>
 * Every change is audited through {@code audit} (actor, action, target, before and after). Work
 * runs on the blocking executor (JDBC). A scoped principal sees alerts, history and baselines
 * whose labels are in its scope, and the groups of its scope ({@link RuleScopes}).
 */
public final class AlertRulesApi {
  /** Writes one audit record: actor, action, target, source address, detail. */
  @FunctionalInterface
  public interface Audit {
    void record(ServiceRequestContext ctx, String action, String target, String detail);
  }

  static final int MAX_BAND_POINTS = 11_000;
  /** Deepest page of the history (rows skipped); older changes are reached by time range. */
  static final int MAX_HISTORY_OFFSET = 100_000;
  /** Rows a scoped history request reads at most before it answers with what it found ({@code partial}). */
  static final int MAX_SCOPED_SCAN = 200_000;
  private final RuleService rules;
  private final RuleManager manager;
  private final Audit audit;
  private final Function<ServiceRequestContext, String> actor;
  private final java.time.Clock clock;
  private final RuleScopes scopes;

  public AlertRulesApi(RuleService rules, RuleManager manager, Audit audit,
      Function<ServiceRequestContext, String> actor, java.time.Clock clock, RequestScope scope) {
    this.scopes = new RuleScopes(requireNonNull(scope, "scope"));
    this.clock = requireNonNull(clock, "clock");
    this.rules = requireNonNull(rules, "rules");
    this.manager = requireNonNull(manager, "manager");
    this.audit = requireNonNull(audit, "audit");
    this.actor = requireNonNull(actor, "actor");
  }

  private interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req);
  }

  private static HttpService blocking(Handler h) {
    return (ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      try {
        return h.handle(ctx, agg);
      } catch (IllegalArgumentException | QueryException e) {
        return ApiErrors.badData(e.getMessage());
      }
    }, ctx.blockingTaskExecutor()));
  }

  /** {@code /api/v1/rules}. */
  public HttpService prometheusRules() {
    return blocking((ctx, req) -> {
      List<Object> groups = new ArrayList<>();
      List<List<Matcher>> scope = scopes.scope(ctx);
      for (GroupView g : manager.groups()) {
        if (!scopes.readable(ctx, g.spec())) {
          continue;
        }
        Map<String, Object> gm = new LinkedHashMap<>();
        gm.put("name", g.spec().name());
        gm.put("file", "");
        List<Object> rs = new ArrayList<>();
        for (RuleView r : g.rules()) {
          rs.add(rule(r, scope));
        }
        gm.put("rules", rs);
        gm.put("interval", g.spec().intervalMs() / 1000.0);
        gm.put("limit", 0);
        gm.put("evaluationTime", g.lastEvalSeconds());
        gm.put("lastEvaluation", time(g.lastEvalMs()));
        groups.add(gm);
      }
      return ApiErrors.success(Map.of("groups", groups));
    });
  }

  private static Map<String, Object> rule(RuleView r, List<List<Matcher>> scope) {
    RuleSpec s = r.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> alerts = new ArrayList<>();
    String state = "inactive";
    for (var a : r.alerts()) {
      if (a.state().equals("inactive") || !ScopedQueryable.visible(scope, a.labels())) {
        continue;
      }
      alerts.add(alert(a));
      if (a.state().equals("firing") || state.equals("inactive")) {
        state = a.state().equals("firing") ? "firing" : "pending";
      }
    }
    if (s.alerting()) {
      m.put("state", state);
    }
    m.put("name", s.name());
    m.put("query", r.expr());
    if (s.alerting()) {
      m.put("duration", s.forMs() / 1000.0);
      m.put("keepFiringFor", s.keepFiringForMs() / 1000.0);
      m.put("annotations", s.annotations());
      m.put("alerts", alerts);
      m.put("kind", s.kind().wire());
      if (s.level() != null) {
        m.put("level", s.level());
      }
      m.put("generatorURL", r.generatorUrl());
    }
    Map<String, String> labels = new LinkedHashMap<>(s.labels());
    if (s.level() != null) {
      labels.put("severity", s.level());
    }
    m.put("labels", labels);
    m.put("health", r.health());
    m.put("lastError", r.lastError());
    m.put("evaluationTime", r.evalSeconds());
    m.put("lastEvaluation", time(r.lastEvalMs()));
    m.put("type", s.alerting() ? "alerting" : "recording");
    return m;
  }

  private static Map<String, Object> alert(syslens.alerting.rules.AlertInstance.View a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("labels", a.labels().toMap());
    Map<String, String> ann = new LinkedHashMap<>(a.annotations());
    if (a.flapping()) {
      ann.put("flapping", "true");
    }
    m.put("annotations", ann);
    m.put("state", a.state());
    m.put("activeAt", time(a.activeAt()));
    m.put("value", PromFormat.formatValue(a.value()));
    return m;
  }

  private static String time(long ms) {
    return ms <= 0 ? "0001-01-01T00:00:00Z" : Instant.ofEpochMilli(ms).toString();
  }

  /** {@code /api/v1/alerts}: active (pending and firing) alerts. */
  public HttpService prometheusAlerts() {
    return blocking((ctx, req) -> {
      List<Object> out = new ArrayList<>();
      List<List<Matcher>> scope = scopes.scope(ctx);
      for (GroupView g : manager.groups()) {
        for (RuleView r : g.rules()) {
          for (var a : r.alerts()) {
            if (!a.state().equals("inactive") && ScopedQueryable.visible(scope, a.labels())) {
              out.add(alert(a));
            }
          }
        }
      }
      return ApiErrors.success(Map.of("alerts", out));
    });
  }

  /** {@code /api/v1/alert-rules} and {@code /api/v1/alert-rules/{group}}. */
  public HttpService management() {
    return blocking((ctx, req) -> {
      String name = ctx.pathParam("group");
      HttpMethod m = ctx.method();
      if (name == null) {
        if (m == HttpMethod.GET) {
          List<Object> gs = new ArrayList<>();
          rules.get(syslens.alerting.rules.BuiltinRules.GROUP)
              .ifPresent(g -> gs.add(withBuiltin(RuleJson.group(g))));
          rules.list().stream().filter(g -> scopes.readable(ctx, g)).forEach(g -> gs.add(RuleScopes.view(g)));
          return ApiErrors.success(Map.of("groups", gs));
        }
        if (m != HttpMethod.POST) {
          return methodNotAllowed(m, "GET or POST");
        }
        return save(ctx, parseBody(req), HttpStatus.CREATED);
      }
      if (m == HttpMethod.GET) {
        Optional<GroupSpec> g = rules.get(name).filter(x -> scopes.readable(ctx, x));
        return g.isEmpty() ? notFound(name) : ApiErrors.success(RuleScopes.view(g.get()));
      }
      if (m == HttpMethod.PUT) {
        GroupSpec g = RuleFiles.parseGroup(body(req));
        if (!g.name().equals(name)) {
          return ApiErrors.badData("name: \"" + g.name() + "\" (expected: \"" + name
              + "\", the group in the path)");
        }
        return save(ctx, List.of(g), HttpStatus.OK);
      }
      if (m == HttpMethod.DELETE) {
        Optional<GroupSpec> before = rules.get(name);
        if (before.isPresent() && !syslens.alerting.rules.BuiltinRules.GROUP.equals(name)
            && !scopes.writable(ctx, before.get())) {
          return scopes.forbidden(ctx, before.get());
        }
        if (!rules.delete(name)) {
          return notFound(name);
        }
        audit.record(ctx, "alert.rules.delete", name, "before: " + RuleScopes.summary(before.orElse(null)));
        return ApiErrors.success(Map.of("deleted", name));
      }
      return methodNotAllowed(m, "GET, PUT or DELETE");
    });
  }

  /**
   * Creates or replaces groups: refused (403, nothing saved) when one exists and belongs to
   * another scope, or when a scoped principal's group would reach outside its scope; each group
   * is saved with its owner (kept from before) and scope (the saving principal's, or for an
   * unscoped principal the group's previous one), and audited with before and after.
   */
  private HttpResponse save(ServiceRequestContext ctx, List<GroupSpec> groups, HttpStatus status) {
    List<GroupSpec> owned = new ArrayList<>();
    List<GroupSpec> before = new ArrayList<>();
    for (GroupSpec g : groups) {
      GroupSpec old = rules.get(g.name()).orElse(null);
      if (old != null && !syslens.alerting.rules.BuiltinRules.GROUP.equals(g.name()) && !scopes.writable(ctx, old)) {
        return scopes.forbidden(ctx, old);
      }
      String problem = scopes.problem(ctx, g);
      if (problem != null) {
        return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", problem);
      }
      before.add(old);
      owned.add(scopes.own(ctx, g, old, actor.apply(ctx)));
    }
    List<Boolean> existed = rules.put(owned, actor.apply(ctx));
    for (int i = 0; i < owned.size(); i++) {
      audit.record(ctx, existed.get(i) ? "alert.rules.update" : "alert.rules.create", owned.get(i).name(),
          "before: " + RuleScopes.summary(before.get(i)) + "; after: " + RuleScopes.summary(owned.get(i)));
    }
    List<Map<String, Object>> views = owned.stream().map(RuleScopes::view).toList();
    return HttpResponse.ofJson(status, Map.of("status", "success", "data",
        status == HttpStatus.CREATED ? Map.of("groups", views) : views.get(0)));
  }

  private static Map<String, Object> withBuiltin(Map<String, Object> g) {
    Map<String, Object> m = new LinkedHashMap<>(g);
    m.put("builtin", true);
    return m;
  }

  private static List<GroupSpec> parseBody(AggregatedHttpRequest req) {
    String text = body(req);
    MediaType ct = req.contentType();
    boolean yaml = (ct != null && ct.subtype().contains("yaml"))
        || text.stripLeading().startsWith("groups:");
    if (yaml || text.stripLeading().startsWith("{\"groups\"")) {
      return RuleFiles.parseFile(text);
    }
    return List.of(RuleFiles.parseGroup(text));
  }

  private static String body(AggregatedHttpRequest req) {
    String text = req.contentUtf8();
    if (text.isBlank()) {
      throw new IllegalArgumentException("body: empty (expected: a rule group in JSON, or a "
          + "Prometheus rule file in YAML)");
    }
    return text;
  }

  /** {@code /api/v1/alerts/history}. */
  public HttpService history() {
    return blocking((ctx, req) -> {
      long end = timeParam(ctx, "end", clock.millis());
      long start = timeParam(ctx, "start", end - 86_400_000L);
      int limit = (int) Math.min(Math.max(1, longParam(ctx, "limit", 1000)), 10_000);
      long offset = longParam(ctx, "offset", 0);
      if (offset < 0 || offset > MAX_HISTORY_OFFSET) {
        return ApiErrors.badData("offset: " + offset + " (expected: 0 to " + MAX_HISTORY_OFFSET
            + "; narrow the time range to reach older changes)");
      }
      List<List<Matcher>> scope = scopes.scope(ctx);
      // A scoped reader's changes are filtered after reading: read pages of the largest size
      // from the start, newest first, until offset + limit visible changes are found or at most
      // MAX_SCOPED_SCAN rows were read (then the answer says it is partial).
      long skip = scope == null ? 0 : offset;
      List<Object> out = new ArrayList<>();
      boolean partial = false;
      for (int read = 0; ; ) {
        int page = scope == null ? limit : StateStore.MAX_HISTORY_PAGE;
        List<StateStore.Transition> h = manager.store().history(new StateStore.HistoryQuery(
            ctx.queryParam("rule"), ctx.queryParam("node"), ctx.queryParam("level"), start, end,
            page, scope == null ? (int) offset : read));
        read += h.size();
        for (StateStore.Transition t : h) {
          if (out.size() >= limit) {
            break;
          }
          if (!ScopedQueryable.visible(scope, t.labels())) {
            continue;
          }
          if (skip > 0) {
            skip--;
            continue;
          }
          out.add(change(t));
        }
        if (scope == null || out.size() >= limit || h.size() < page) {
          break;
        }
        if (read >= MAX_SCOPED_SCAN) {
          partial = true;
          break;
        }
      }
      return ApiErrors.success(partial ? Map.of("changes", out, "partial", true) : Map.of("changes", out));
    });
  }

  private static Map<String, Object> change(StateStore.Transition t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", Instant.ofEpochMilli(t.atMs()).toString());
    m.put("rule", t.rule());
    m.put("node", t.node());
    m.put("level", t.level());
    m.put("from", t.from());
    m.put("to", t.to());
    m.put("value", PromFormat.formatValue(t.value()));
    m.put("labels", t.labels().toMap());
    return m;
  }

  /** {@code /api/v1/alerts/baseline}. */
  public HttpService baseline() {
    return blocking((ctx, req) -> {
      String rule = ctx.queryParam("rule");
      if (rule == null || rule.isEmpty()) {
        return ApiErrors.badData("rule: missing (expected: the name of an anomaly rule)");
      }
      RuleView view = null;
      for (GroupView g : manager.groups()) {
        for (RuleView r : g.rules()) {
          if (r.spec().name().equals(rule) && r.spec().kind() == RuleSpec.Kind.ANOMALY) {
            view = r;
          }
        }
      }
      if (view == null) {
        return notFound("anomaly rule " + rule);
      }
      String sel = Optional.ofNullable(ctx.queryParam("series")).orElse("{}");
      Labels want = PromqlScript.parseLabels(sel);
      long end = timeParam(ctx, "end", clock.millis());
      long start = timeParam(ctx, "start", end - 86_400_000L);
      long step = longParam(ctx, "step", 300) * 1000;
      if (step <= 0 || end < start || (end - start) / step > MAX_BAND_POINTS) {
        return ApiErrors.badData("start, end, step: " + start + ", " + end + ", " + step
            + "ms (expected: step > 0, end >= start, at most " + MAX_BAND_POINTS + " points)");
      }
      List<Object> out = new ArrayList<>();
      List<List<Matcher>> scope = scopes.scope(ctx);
      for (Labels series : view.baselineSeries()) {
        boolean match = ScopedQueryable.visible(scope, series);
        for (var l : want) {
          match &= l.value().equals(series.get(l.name()));
        }
        if (!match) {
          continue;
        }
        List<Object> median = new ArrayList<>();
        List<Object> lower = new ArrayList<>();
        List<Object> upper = new ArrayList<>();
        for (long t = start; t <= end; t += step) {
          double[] b = view.band(series, t);
          if (b != null) {
            median.add(List.of(t / 1000.0, PromFormat.formatValue(b[0])));
            lower.add(List.of(t / 1000.0, PromFormat.formatValue(b[1])));
            upper.add(List.of(t / 1000.0, PromFormat.formatValue(b[2])));
          }
        }
        out.add(Map.of("metric", series.toMap(), "median", median, "lower", lower,
            "upper", upper));
        if (out.size() >= 100) {
          break;
        }
      }
      return ApiErrors.success(Map.of("series", out));
    });
  }

  private static long timeParam(ServiceRequestContext ctx, String name, long dflt) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return (long) (Double.parseDouble(v) * 1000);
    } catch (NumberFormatException e) {
      try {
        return Instant.parse(v).toEpochMilli();
      } catch (java.time.format.DateTimeParseException e2) {
        throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: Unix seconds or "
            + "RFC 3339)");
      }
    }
  }

  private static long longParam(ServiceRequestContext ctx, String name, long dflt) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: an integer)");
    }
  }

  private static HttpResponse notFound(String what) {
    return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", what + " not found");
  }

  private static HttpResponse methodNotAllowed(HttpMethod m, String expected) {
    return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + m
        + " (expected: " + expected + ")");
  }
}
