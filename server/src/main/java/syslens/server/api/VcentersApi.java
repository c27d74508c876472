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
import java.util.function.Predicate;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RequestScope;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;
import syslens.vsphere.VsphereApi;

/**
 * {@code /api/v1/vcenters/**}: HTTP around the vsphere module's {@link VsphereApi} (bodies of at
 * most 64 KiB, JSON objects only; the work runs on the blocking executor, never the event loop).
 * A team-scoped caller sees only the vCenters, hosts and VMs its scope's selectors accept and
 * cannot change connections; every change is appended to the audit log (actor, source address,
 * the connection before and after, never a password).
 */
public final class VcentersApi implements HttpService {
  public static final String PREFIX = "/api/v1/vcenters";
  static final int MAX_BODY = 64 * 1024;
  /** Fields of a connection's view that the audit log records (no status, never the password). */
  private static final List<String> AUDITED = List.of("name", "url", "user", "pinnedSha256", "maxConcurrency",
      "timeoutSeconds", "perfIntervalSeconds", "inventoryIntervalSeconds", "enabled");
  private final VsphereApi api;
  private final AuditLog audit;
  private final RequestScope scopes;

  public VcentersApi(VsphereApi api, AuditLog audit, RequestScope scopes) {
    this.api = requireNonNull(api, "api");
    this.audit = requireNonNull(audit, "audit");
    this.scopes = requireNonNull(scopes, "scopes");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    String actor = who == null ? "unknown" : who.username();
    String source = ctx.clientAddress().getHostAddress();
    List<List<Matcher>> scope = scopes.of(who);
    Predicate<Labels> visible = scope == null ? null : labels -> ScopedQueryable.visible(scope, labels);
    String method = req.method().name();
    String path = ctx.path().substring(Math.min(ctx.path().length(), PREFIX.length()));
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      JsonObjectBody parsed = JsonObjectBody.parse(agg, MAX_BODY, "{\"name\": ..., \"url\": ..., ...}");
      if (parsed.error() != null) {
        return parsed.error();
      }
      Map<String, Object> body = parsed.body();
      boolean change = !method.equals("GET");
      String before = change && visible == null ? describe(api.handle("GET", path, Map.of(), null).data()) : null;
      VsphereApi.Response r = api.handle(method, path, params, body, visible);
      if (change && r.status() == 200) {
        audit(actor, source, method, path, before, r.data(), body != null && body.containsKey("password"));
      }
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }

  private void audit(String actor, String source, String method, String path, String before, Object after,
      boolean password) {
    String[] seg = path.replaceAll("^/+|/+$", "").split("/");
    String first = seg[0];
    String action;
    String target = first;
    String detail;
    if (first.isEmpty()) {
      action = "vcenter.created";
      target = String.valueOf(after instanceof Map<?, ?> m ? m.get("id") : "");
      detail = "after: " + describe(after);
    } else if (first.equals("test")) {
      action = "vcenter.tested";
      detail = describe(after);
    } else if (seg.length == 2 && seg[1].equals("collect")) {
      action = "vcenter.collect";
      detail = "";
    } else if (method.equals("DELETE")) {
      action = "vcenter.deleted";
      detail = "before: " + before;
    } else {
      action = "vcenter.updated";
      detail = "before: " + before + "; after: " + describe(after) + (password ? "; password changed" : "");
    }
    audit.append(actor, action, target, source, detail);
  }

  /** The audited fields of a connection's view, in a fixed order; "" for anything else. */
  private static String describe(Object view) {
    if (!(view instanceof Map<?, ?> m) || !m.containsKey("url")) {
      return view instanceof Map<?, ?> other && other.containsKey("ok") ? "ok=" + other.get("ok") : "";
    }
    StringBuilder sb = new StringBuilder("{");
    for (String k : AUDITED) {
      if (m.containsKey(k)) {
        sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(m.get(k));
      }
    }
    return sb.append('}').toString();
  }
}
