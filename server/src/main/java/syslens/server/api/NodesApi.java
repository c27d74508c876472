package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.List;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;
import syslens.server.live.NodeJson;
import syslens.server.live.NodeSummaries;

/**
 * {@code GET /api/v1/nodes}: every known node with status, last seen and headline numbers; a
 * scoped principal sees the nodes whose labels ({@link NodeJson#scopeLabels}) are in its scope.
 */
public final class NodesApi implements HttpService {
  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final RequestScope scope;

  public NodesApi(NodeRegistry registry, NodeSummaries summaries, RequestScope scope) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    this.scope = requireNonNull(scope, "scope");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    List<List<Matcher>> s = scope.of(ctx);
    return ApiErrors.success(registry.list().stream()
        .filter(n -> ScopedQueryable.visible(s, NodeJson.scopeLabels(n)))
        .map(n -> NodeJson.of(n, summaries)).toList());
  }
}
