package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import java.util.LinkedHashMap;
import java.util.Map;
import syslens.security.AuditLog;
import syslens.security.NodeIdentities;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.server.api.ApiErrors;

/**
 * API keys ({@code /api/v1/apikeys}: the caller's own), the audit log ({@code /api/v1/audit},
 * {@code /api/v1/audit/verify}) and node credentials ({@code /api/v1/node-credentials},
 * {@code POST /api/v1/node-credentials/{id}/revoke}, {@code DELETE /api/v1/node-credentials/{id}}).
 */
public final class AccessApi {
  static final int MAX_AUDIT_PAGE = 1000;
  private final Security security;

  public AccessApi(Security security) {
    this.security = requireNonNull(security, "security");
  }

  /** {@code GET} lists, {@code POST {"name","scopes":[...],"expiresAt"?}} creates (key shown once), {@code DELETE /{id}}. */
  public HttpService apiKeys() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      Principal p = Http.principal(c);
      String id = c.pathParam("id");
      if (id != null) {
        if (c.method() != HttpMethod.DELETE) {
          return Http.methodNotAllowed(c, "DELETE");
        }
        return security.revokeApiKey(id, p.userId(), p.can("users:user:manage"), p.username(), Http.source(c))
            ? ApiErrors.success(Map.of("revoked", id)) : Http.notFound("API key " + id + " not found among yours");
      }
      if (c.method() == HttpMethod.GET) {
        return ApiErrors.success(security.listApiKeys(p.userId()));
      }
      if (c.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(c, "GET or POST");
      }
      if (p.apiKeyId() != null) {
        return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "API keys cannot create API keys "
            + "(expected: log in as the user)");
      }
      JsonNode exp = body.path("expiresAt");
      Long expiresAt = exp.isMissingNode() || exp.isNull() ? null : exp.asLong();
      Map.Entry<String, Map<String, Object>> k = security.createApiKey(p, Http.text(body, "name", true),
          Http.strings(body, "scopes"), expiresAt, Http.source(c));
      Map<String, Object> out = new LinkedHashMap<>(k.getValue());
      out.put("key", k.getKey());
      return HttpResponse.ofJson(HttpStatus.CREATED, Map.of("status", "success", "data", out));
    });
  }

  /**
   * {@code GET /api/v1/audit?after=SEQ&limit=N} (oldest first), or with any of {@code actor},
   * {@code action} (prefix), {@code from}, {@code to} (epoch ms), {@code before=SEQ} or
   * {@code order=desc}: newest first, for paging back; and {@code GET /api/v1/audit/verify}.
   */
  public HttpService audit() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      if (c.path().endsWith("/verify")) {
        AuditLog.Verification v = security.audit().verify();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", v.ok());
        out.put("checked", v.checked());
        out.put("firstBadSeq", v.ok() ? null : v.firstBadSeq());
        out.put("problem", v.problem());
        return ApiErrors.success(out);
      }
      int limit = (int) parseLong(c.queryParam("limit"), 100, "limit");
      if (limit < 1 || limit > MAX_AUDIT_PAGE) {
        return ApiErrors.badData("limit: " + limit + " (expected: 1-" + MAX_AUDIT_PAGE + ")");
      }
      String actor = filter(c.queryParam("actor"), "actor", 128);
      String action = filter(c.queryParam("action"), "action", 64);
      String from = c.queryParam("from");
      String to = c.queryParam("to");
      String before = c.queryParam("before");
      if (actor != null || action != null || from != null || to != null || before != null) {
        return ApiErrors.success(security.audit().search(actor, action,
            from == null ? null : parseLong(from, 0, "from"), to == null ? null : parseLong(to, 0, "to"),
            before == null ? null : parseLong(before, 0, "before"), limit));
      }
      if (c.queryParam("after") == null && "desc".equals(c.queryParam("order"))) {
        return ApiErrors.success(security.audit().search(null, null, null, null, null, limit));
      }
      long after = parseLong(c.queryParam("after"), -1, "after");
      return ApiErrors.success(security.audit().list(after, limit));
    });
  }

  /** Node credentials: list, revoke, delete (so the id may enroll again). */
  public HttpService nodeCredentials() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      String id = c.pathParam("id");
      if (id == null) {
        return c.method() == HttpMethod.GET
            ? ApiErrors.success(security.nodes().list().stream().map(NodeIdentities.Credential::toView).toList())
            : Http.methodNotAllowed(c, "GET");
      }
      Principal p = Http.principal(c);
      if (c.path().endsWith("/revoke") && c.method() == HttpMethod.POST) {
        return security.nodes().revoke(id, p.username(), Http.source(c))
            ? ApiErrors.success(Map.of("revoked", id)) : Http.notFound("node " + id + " has no live credential");
      }
      if (c.method() == HttpMethod.DELETE && !c.path().endsWith("/revoke")) {
        return security.nodes().forget(id, p.username(), Http.source(c))
            ? ApiErrors.success(Map.of("deleted", id)) : Http.notFound("node " + id + " has no credential");
      }
      return Http.methodNotAllowed(c, "POST /api/v1/node-credentials/{id}/revoke or DELETE /api/v1/node-credentials/{id}");
    });
  }

  private static String filter(String v, String name, int max) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.length() > max) {
      throw new IllegalArgumentException(name + ": " + v.length() + " characters (expected: <= " + max + ")");
    }
    return v;
  }

  private static long parseLong(String v, long dflt, String name) {
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": " + (v.length() > 32 ? v.substring(0, 32) + "..." : v)
          + " (expected: an integer)");
    }
  }
}
