package syslens.server.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.api.ApiErrors;
import syslens.server.auth.AuthDecorator;

/**
 * The control plane's REST surface (docs/api.md): {@code /api/v1/config/{groups,nodes}/NAME}
 * (GET, PUT, DELETE; {@code /history}; {@code /effective} for nodes), {@code /api/v1/groups},
 * {@code /api/v1/nodes/ID/group} (PUT), {@code /api/v1/commands} (GET: actions; POST: send).
 * Bodies of at most 64 KiB; work runs on the blocking executor.
 */
public final class ControlApi implements HttpService {
  static final int MAX_BODY = 64 * 1024;
  private final NodeConfigs configs;
  private final Commands commands;
  private final AuditLog audit;
  private final Predicate<String> knownNode;

  public ControlApi(NodeConfigs configs, Commands commands, AuditLog audit, Predicate<String> knownNode) {
    this.configs = requireNonNull(configs, "configs");
    this.commands = requireNonNull(commands, "commands");
    this.audit = requireNonNull(audit, "audit");
    this.knownNode = requireNonNull(knownNode, "knownNode");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      if (agg.content().length() > MAX_BODY) {
        return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
            + agg.content().length() + " bytes (expected: <= " + MAX_BODY + ")");
      }
      JsonNode body = null;
      if (!agg.contentUtf8().isBlank()) {
        try {
          body = NodeConfig.JSON.readTree(agg.contentUtf8());
        } catch (JsonProcessingException e) {
          return ApiErrors.badData("body: malformed JSON at line " + e.getLocation().getLineNr() + " column "
              + e.getLocation().getColumnNr() + " (expected: a JSON object)");
        }
      }
      try {
        return route(ctx, ctx.method(), ctx.path(), body);
      } catch (IllegalArgumentException e) {
        return ApiErrors.badData(e.getMessage());
      } catch (IllegalStateException e) {
        return ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage());
      }
    }, ctx.blockingTaskExecutor()));
  }

  private HttpResponse route(ServiceRequestContext ctx, HttpMethod method, String path, JsonNode body) {
    String[] p = path.split("/", -1); // "", api, v1, ...
    if (p.length >= 5 && p[3].equals("config")) {
      String kind = switch (p[4]) {
        case "groups" -> NodeConfigs.GROUP;
        case "nodes" -> NodeConfigs.NODE;
        default -> null;
      };
      if (kind != null && p.length == 6) {
        return scope(ctx, method, kind, p[5], body);
      }
      if (kind != null && p.length == 7 && p[6].equals("history") && method == HttpMethod.GET) {
        return history(kind, p[5]);
      }
      if (kind == NodeConfigs.NODE && p.length == 7 && p[6].equals("effective") && method == HttpMethod.GET) {
        NodeConfigs.checkScope(kind, p[5]);
        return ApiErrors.success(effective(p[5]));
      }
    }
    if (path.equals("/api/v1/groups") && method == HttpMethod.GET) {
      List<Map<String, Object>> out = new ArrayList<>();
      configs.groups().forEach((g, n) -> out.add(group(g, n)));
      return ApiErrors.success(out);
    }
    if (p.length == 5 && p[3].equals("groups") && method == HttpMethod.GET) {
      NodeConfigs.checkScope(NodeConfigs.GROUP, p[4]);
      Integer n = configs.groups().get(p[4]);
      if (n == null) {
        return notFound("group " + p[4] + ": no members and no configuration");
      }
      Map<String, Object> g = group(p[4], n);
      g.put("members", configs.membersOf(p[4]));
      return ApiErrors.success(g);
    }
    if (p.length == 6 && p[3].equals("nodes") && p[5].equals("group") && method == HttpMethod.PUT) {
      return setGroup(ctx, p[4], body);
    }
    if (path.equals("/api/v1/commands") && method == HttpMethod.GET) {
      return ApiErrors.success(Map.of("actions", new java.util.TreeSet<>(commands.actions())));
    }
    if (path.equals("/api/v1/commands") && method == HttpMethod.POST) {
      return command(ctx, body);
    }
    return notFound("no such control-plane route: " + method + " " + path);
  }

  private HttpResponse scope(ServiceRequestContext ctx, HttpMethod method, String kind, String scope, JsonNode body) {
    NodeConfigs.checkScope(kind, scope);
    if (method == HttpMethod.GET) {
      return configs.get(kind, scope).<HttpResponse>map(s -> ApiErrors.success(scoped(s)))
          .orElseGet(() -> notFound(kind + " " + scope + ": no configuration"));
    }
    if (method == HttpMethod.PUT) {
      NodeConfig c = NodeConfig.parse(body); // validated before it is stored or sent to any agent
      String before = configs.get(kind, scope).map(s -> String.valueOf(s.config().toJson())).orElse("none");
      long v = configs.put(kind, scope, c, who(ctx));
      audit.append(who(ctx), "config.saved", kind + ":" + scope, source(ctx), "version " + v + "; before: " + before
          + "; after: " + c.toJson());
      return ApiErrors.success(scoped(configs.get(kind, scope).orElseThrow()));
    }
    if (method == HttpMethod.DELETE) {
      if (configs.get(kind, scope).isEmpty()) {
        return notFound(kind + " " + scope + ": no configuration");
      }
      String before = String.valueOf(configs.get(kind, scope).orElseThrow().config().toJson());
      long v = configs.put(kind, scope, null, who(ctx));
      audit.append(who(ctx), "config.deleted", kind + ":" + scope, source(ctx), "version " + v + "; before: " + before);
      return ApiErrors.success(Map.of("version", v));
    }
    return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + method
        + " (expected: GET, PUT or DELETE)");
  }

  private HttpResponse history(String kind, String scope) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ConfigStore.Row r : configs.history(kind, scope, 100)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", r.version());
      m.put("updatedAt", r.createdAt());
      m.put("updatedBy", r.createdBy());
      try {
        m.put("config", r.body() == null ? null : NodeConfig.JSON.readTree(r.body()));
      } catch (JsonProcessingException e) {
        m.put("config", null);
      }
      m.put("deleted", r.body() == null);
      out.add(m);
    }
    return ApiErrors.success(out);
  }

  private Map<String, Object> effective(String node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", node);
    m.put("group", configs.groupOf(node));
    m.put("version", configs.effectiveVersion(node));
    NodeConfig c = configs.effectiveConfig(node);
    if (c.intervalMs() == null) {
      c = new NodeConfig(configs.defaultIntervalMs(), c.collectors(), c.scrapeTargets(), c.customCommands(),
          c.maxSeries());
    }
    m.put("config", c.toJson());
    return m;
  }

  private HttpResponse setGroup(ServiceRequestContext ctx, String node, JsonNode body) {
    NodeConfigs.checkScope(NodeConfigs.NODE, node);
    if (!knownNode.test(node)) {
      return notFound("node " + node + ": unknown");
    }
    if (body == null || !body.isObject() || !(body.path("group").isTextual() || body.path("group").isNull())) {
      throw new IllegalArgumentException("group: (expected: {\"group\": \"NAME\"} or {\"group\": null} for none)");
    }
    String g = body.path("group").isNull() ? null : body.path("group").asText();
    configs.setGroup(node, g);
    audit.append(who(ctx), "node.group_set", node, source(ctx), g == null ? "(none)" : g);
    return ApiErrors.success(effective(node));
  }

  private HttpResponse command(ServiceRequestContext ctx, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("body: (expected: {\"action\": ..., \"node\": ID or \"group\": NAME, "
          + "\"args\": {...}, \"timeout\": \"10s\"})");
    }
    String action = body.path("action").isTextual() ? body.path("action").asText() : null;
    Map<String, String> args = new TreeMap<>();
    JsonNode a = body.path("args");
    if (!a.isMissingNode() && !a.isNull()) {
      if (!a.isObject()) {
        throw new IllegalArgumentException("args: " + a.getNodeType() + " (expected: an object of strings)");
      }
      a.fields().forEachRemaining(e -> {
        if (!e.getValue().isTextual()) {
          throw new IllegalArgumentException("args." + e.getKey() + ": " + e.getValue().getNodeType()
              + " (expected: a string)");
        }
        args.put(e.getKey(), e.getValue().asText());
      });
    }
    commands.check(action, args);
    List<String> nodes;
    boolean byNode = body.path("node").isTextual();
    boolean byGroup = body.path("group").isTextual();
    if (byNode == byGroup) {
      throw new IllegalArgumentException("node, group: " + (byNode ? "both given" : "neither given")
          + " (expected: exactly one of them)");
    }
    if (byNode) {
      String n = body.path("node").asText();
      NodeConfigs.checkScope(NodeConfigs.NODE, n);
      if (!knownNode.test(n)) {
        return notFound("node " + n + ": unknown");
      }
      nodes = List.of(n);
    } else {
      String g = body.path("group").asText();
      NodeConfigs.checkScope(NodeConfigs.GROUP, g);
      nodes = configs.membersOf(g);
      if (nodes.isEmpty()) {
        return notFound("group " + g + ": no members");
      }
    }
    Duration timeout = Duration.ofSeconds(30);
    JsonNode t = body.path("timeout");
    if (!t.isMissingNode() && !t.isNull()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})(ms|s|m)").matcher(t.asText());
      if (!t.isTextual() || !m.matches()) {
        throw new IllegalArgumentException("timeout: " + t + " (expected: a duration such as \"10s\", at most 10m)");
      }
      long v = Long.parseLong(m.group(1));
      timeout = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(v);
        case "s" -> Duration.ofSeconds(v);
        default -> Duration.ofMinutes(v);
      };
    }
    List<Commands.Result> results = commands.send(action, args, nodes, timeout, who(ctx), source(ctx));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("action", action);
    out.put("results", results);
    return ApiErrors.success(out);
  }

  private Map<String, Object> group(String name, int members) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("memberCount", members);
    m.put("configVersion", configs.get(NodeConfigs.GROUP, name).map(NodeConfigs.Scoped::version).orElse(0L));
    return m;
  }

  private static Map<String, Object> scoped(NodeConfigs.Scoped s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(s.kind(), s.scope());
    m.put("version", s.version());
    m.put("updatedAt", s.updatedAt());
    m.put("updatedBy", s.updatedBy());
    m.put("config", s.config().toJson());
    return m;
  }

  private static HttpResponse notFound(String what) {
    return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", what);
  }

  private static String who(ServiceRequestContext ctx) {
    Principal p = ctx.attr(AuthDecorator.PRINCIPAL);
    return p == null ? "unknown" : p.username();
  }

  private static String source(ServiceRequestContext ctx) {
    return ctx.clientAddress().getHostAddress();
  }
}
