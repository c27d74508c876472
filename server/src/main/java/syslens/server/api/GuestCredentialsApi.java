package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.HashMap;
import java.util.Map;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;
import syslens.vsphere.guest.GuestApi;

/**
 * {@code /api/v1/guest-credentials/**}: HTTP around the vsphere module's {@link GuestApi} (bodies
 * of at most 64 KiB, JSON objects only; work on the blocking executor, never the event loop).
 * Every change is appended to the audit log with the authenticated user as actor; secrets never
 * reach the log (the API's audit details carry none).
 */
public final class GuestCredentialsApi implements HttpService {
  public static final String PREFIX = "/api/v1/guest-credentials";
  static final int MAX_BODY = 64 * 1024;
  private final GuestApi api;
  private final AuditLog audit;

  public GuestCredentialsApi(GuestApi api, AuditLog audit) {
    this.api = requireNonNull(api, "api");
    this.audit = requireNonNull(audit, "audit");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    String actor = who == null ? "unknown" : who.username();
    String source = ctx.clientAddress().getHostAddress();
    String method = req.method().name();
    String path = ctx.path().substring(Math.min(ctx.path().length(), PREFIX.length()));
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      JsonObjectBody parsed = JsonObjectBody.parse(agg, MAX_BODY, "{\"name\": ..., \"kind\": ..., ...}");
      if (parsed.error() != null) {
        return parsed.error();
      }
      Map<String, Object> body = parsed.body();
      GuestApi.Response r = api.handle(method, path, params, body);
      if (r.audit() != null) {
        audit.append(actor, r.audit().action(), r.audit().target(), source, r.audit().detail());
      }
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }
}
