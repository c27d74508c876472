package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.alerting.notify.NotifyApi;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;

/**
 * Silences, receivers, the notification config, acknowledgements and the delivery log: HTTP
 * around the alerting module's {@link NotifyApi} (bodies of at most 1 MiB, the size of the
 * largest config; work on the blocking executor). Every change is appended to the audit log
 * with the authenticated user as actor.
 */
public final class AlertingApi implements HttpService {
  /** Exact routes; {@code {id}} / {@code {fingerprint}} are path parameters. */
  public static final List<String> ROUTES = List.of("/api/v1/silences", "/api/v1/silences/{id}",
      "/api/v1/receivers", "/api/v1/alerting/config", "/api/v1/alerting/alerts",
      "/api/v1/alerts/{fingerprint}/ack", "/api/v1/notifications");
  static final int MAX_BODY = 1024 * 1024;
  private final NotifyApi api;
  private final AuditLog audit;

  public AlertingApi(NotifyApi api, AuditLog audit) {
    this.api = requireNonNull(api, "api");
    this.audit = requireNonNull(audit, "audit");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    String actor = who == null ? "unknown" : who.username();
    String source = ctx.clientAddress().getHostAddress();
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    String method = req.method().name();
    String path = ctx.path();
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      if (agg.content().length() > MAX_BODY) {
        return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
            + agg.content().length() + " bytes (expected: <= " + MAX_BODY + ")");
      }
      NotifyApi.Response r = api.handle(method, path, params, agg.contentUtf8(), actor);
      if (r.audit() != null) {
        audit.append(actor, r.audit().action(), r.audit().target(), source, r.audit().detail());
      }
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }
}
