package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import syslens.server.ingest.NodeRegistry;
import syslens.server.live.NodeJson;
import syslens.server.live.NodeSummaries;

/** {@code GET /api/v1/nodes}: every known node with status, last seen and headline numbers. */
public final class NodesApi implements HttpService {
  private final NodeRegistry registry;
  private final NodeSummaries summaries;

  public NodesApi(NodeRegistry registry, NodeSummaries summaries) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return ApiErrors.success(registry.list().stream().map(n -> NodeJson.of(n, summaries)).toList());
  }
}
