package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.Set;
import java.util.TreeSet;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.server.api.ApiErrors;
import syslens.server.ingest.PrometheusWriteApi;

/**
 * Serves only what this instance's roles include: every instance answers {@code /healthz},
 * {@code /readyz} and {@code /metrics}; {@code ingest} adds the agent stream, remote-write and
 * import; {@code api} everything else (REST, live feed, dashboard). Other paths get 404 naming
 * the role that serves them.
 */
final class RoleGate implements DecoratingHttpServiceFunction {
  private static final Set<String> ALWAYS = Set.of("/healthz", "/readyz", "/metrics");
  private static final String GRPC_PREFIX = "/" + AgentServiceGrpc.SERVICE_NAME + "/";
  private final Set<Role> roles;
  private final String names;

  RoleGate(Set<Role> roles) {
    this.roles = Set.copyOf(requireNonNull(roles, "roles"));
    TreeSet<String> n = new TreeSet<>();
    roles.forEach(r -> n.add(r.label()));
    this.names = String.join(",", n);
  }

  /** The role that serves {@code path}, or null when every instance serves it. */
  static Role roleOf(String path) {
    if (ALWAYS.contains(path)) {
      return null;
    }
    if (path.startsWith(GRPC_PREFIX) || path.equals(PrometheusWriteApi.WRITE_PATH)
        || path.equals(PrometheusWriteApi.IMPORT_PATH)) {
      return Role.INGEST;
    }
    return Role.API;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    Role needed = roleOf(ctx.path());
    if (needed != null && !roles.contains(needed)) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", ctx.path() + " is served by instances with the "
          + needed.label() + " role; this one has --roles " + names + " (see docs/operations.md, \"Several instances\")");
    }
    return delegate.serve(ctx, req);
  }
}
