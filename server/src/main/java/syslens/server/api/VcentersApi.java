package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;
import syslens.vsphere.VsphereApi;

/**
 * {@code /api/v1/vcenters/**}: HTTP around the vsphere module's {@link VsphereApi} (bodies of at
 * most 64 KiB, JSON objects only; the work runs on the blocking executor, never the event loop).
 * Every change is audited ({@code vcenter.created}, {@code vcenter.updated}, {@code
 * vcenter.deleted}, {@code vcenter.collect}) with the views before and after, which never hold
 * the password; a password change is noted as such.
 */
public final class VcentersApi implements HttpService {
  public static final String PREFIX = "/api/v1/vcenters";
  static final int MAX_BODY = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final VsphereApi api;
  private final AuditLog audit;

  public VcentersApi(VsphereApi api, AuditLog audit) {
    this.api = requireNonNull(api, "api");
    this.audit = requireNonNull(audit, "audit");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    String method = req.method().name();
    String path = ctx.path().substring(Math.min(ctx.path().length(), PREFIX.length()));
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      // The limit above is too late once a decorator waited (authentication off the event loop)
      // and the body already arrived under the server-wide limit: check it here as well.
      if (agg.content().length() > MAX_BODY) {
        return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
            + agg.content().length() + " bytes (expected: <= " + MAX_BODY + ")");
      }
      Map<String, Object> body = null;
      String text = agg.contentUtf8();
      if (!text.isBlank()) {
        try {
          JsonNode node = JSON.readTree(text);
          if (node == null || !node.isObject()) {
            return ApiErrors.badData("body: not a JSON object (expected: {\"name\": ..., \"url\": ..., ...})");
          }
          body = JSON.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        } catch (JsonProcessingException e) {
          return ApiErrors.badData("body: malformed JSON at " + e.getLocation()
              + " (expected: a JSON object)");
        }
      }
      String[] seg = path.replaceAll("^/|/$", "").split("/");
      boolean one = seg.length >= 1 && !seg[0].isEmpty() && !List.of("tree", "inventory", "test").contains(seg[0]);
      VsphereApi.Response before = one && !method.equals("GET") ? api.handle("GET", "/" + seg[0], Map.of(), null) : null;
      VsphereApi.Response r = api.handle(method, path, params, body);
      String action = switch (method) {
        case "POST" -> seg[0].isEmpty() ? "vcenter.created" : seg.length == 2 && seg[1].equals("collect")
            ? "vcenter.collect" : null;
        case "PUT" -> one && seg.length == 1 ? "vcenter.updated" : null;
        case "DELETE" -> one && seg.length == 1 ? "vcenter.deleted" : null;
        default -> null;
      };
      if (r.status() == 200 && action != null) {
        Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
        Object after = r.data();
        String target = after instanceof Map<?, ?> m && m.get("id") != null ? String.valueOf(m.get("id")) : seg[0];
        audit.append(who == null ? "unknown" : who.username(), action, target, ctx.clientAddress().getHostAddress(),
            (before != null && before.status() == 200 ? "before: " + before.data() + "; " : "") + "after: " + after
                + (body != null && body.containsKey("password") ? "; password changed" : ""));
      }
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }
}
