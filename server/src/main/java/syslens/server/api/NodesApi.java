package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.server.ingest.NodeRegistry.NodeView;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;
import syslens.server.live.NodeJson;
import syslens.server.live.NodeSummaries;

/**
 * {@code GET /api/v1/nodes}: known nodes with status, last seen and headline numbers, filtered by
 * {@code status}, {@code group}, {@code kind}, {@code label=name:value} and {@code search} (id or
 * hostname contains, case-insensitive), paged by {@code limit} and {@code offset} (the total in
 * the {@code X-Total-Count} header). {@code DELETE /api/v1/nodes/ID} decommissions a node. A
 * scoped principal sees (and may decommission) only the nodes whose labels
 * ({@link NodeJson#scopeLabels}) are in its scope.
 */
public final class NodesApi implements HttpService {
  static final int MAX_LIMIT = 10_000;
  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final RequestScope scope;
  private final Function<String, String> groupOf;
  private final java.util.function.Consumer<String> removed;

  public NodesApi(NodeRegistry registry, NodeSummaries summaries, RequestScope scope) {
    this(registry, summaries, scope, id -> null, id -> { });
  }

  /**
   * @param groupOf a node's group (null: none), for the {@code group} filter and the JSON
   * @param removed called after a node was decommissioned (forget its group and configuration)
   */
  public NodesApi(NodeRegistry registry, NodeSummaries summaries, RequestScope scope,
      Function<String, String> groupOf, java.util.function.Consumer<String> removed) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    this.scope = requireNonNull(scope, "scope");
    this.groupOf = requireNonNull(groupOf, "groupOf");
    this.removed = requireNonNull(removed, "removed");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String path = ctx.path();
    List<List<Matcher>> visible = scope.of(ctx);
    if (ctx.method() == HttpMethod.DELETE && path.startsWith("/api/v1/nodes/")) {
      String id = path.substring("/api/v1/nodes/".length());
      if (registry.find(id).filter(n -> ScopedQueryable.visible(visible, NodeJson.scopeLabels(n))).isEmpty()) {
        return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "node " + id + ": unknown");
      }
      return HttpResponse.of(() -> decommission(id), ctx.blockingTaskExecutor());
    }
    if (!path.equals("/api/v1/nodes")) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "no such route: " + ctx.method() + " " + path);
    }
    Map<String, String> q = new java.util.HashMap<>();
    ctx.queryParams().forEach((k, v) -> q.putIfAbsent(k, v));
    try {
      String status = q.get("status");
      if (status != null && !List.of("online", "offline", "stale").contains(status)) {
        throw new IllegalArgumentException("status: " + status + " (expected: online, offline or stale)");
      }
      String group = q.get("group");
      String kind = q.get("kind");
      String search = q.get("search") == null ? null : q.get("search").toLowerCase(Locale.ROOT);
      String[] label = null;
      if (q.get("label") != null) {
        label = q.get("label").split(":", 2);
        if (label.length != 2 || label[0].isEmpty()) {
          throw new IllegalArgumentException("label: " + q.get("label") + " (expected: name:value)");
        }
      }
      int limit = intParam(q, "limit", MAX_LIMIT, 1, MAX_LIMIT);
      int offset = intParam(q, "offset", 0, 0, Integer.MAX_VALUE);
      String[] l = label;
      Stream<NodeView> nodes = registry.list().stream()
          .filter(n -> ScopedQueryable.visible(visible, NodeJson.scopeLabels(n)))
          .filter(n -> status == null || n.status().equals(status))
          .filter(n -> kind == null || n.kind().equals(kind))
          .filter(n -> group == null || group.equals(groupOf.apply(n.id())))
          .filter(n -> l == null || l[1].equals(n.labels().get(l[0])))
          .filter(n -> search == null || n.id().toLowerCase(Locale.ROOT).contains(search)
              || n.hostname().toLowerCase(Locale.ROOT).contains(search));
      List<NodeView> all = nodes.toList();
      List<Map<String, Object>> page = all.stream().skip(offset).limit(limit).map(n -> {
        Map<String, Object> m = NodeJson.of(n, summaries);
        m.put("group", groupOf.apply(n.id()));
        return m;
      }).toList();
      HttpResponse r = ApiErrors.success(page);
      return r.mapHeaders(h -> h.toBuilder().set("X-Total-Count", Integer.toString(all.size())).build());
    } catch (IllegalArgumentException e) {
      return ApiErrors.badData(e.getMessage());
    }
  }

  private HttpResponse decommission(String id) {
    if (registry.find(id).isEmpty()) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "node " + id + ": unknown");
    }
    if (!registry.remove(id)) {
      return ApiErrors.error(HttpStatus.CONFLICT, "conflict", "node " + id
          + ": its agent is connected (expected: stop the agent, or revoke its credential, first)");
    }
    removed.accept(id);
    return ApiErrors.success(Map.of("removed", id));
  }

  private static int intParam(Map<String, String> q, String name, int def, int min, int max) {
    String v = q.get(name);
    if (v == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + ": " + v + " (expected: an integer " + min + ".." + max + ")");
  }
}
