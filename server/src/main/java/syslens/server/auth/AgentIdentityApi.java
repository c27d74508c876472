package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import syslens.security.EnrollmentTokens;
import syslens.security.NodeIdentities;
import syslens.security.Principal;
import syslens.server.api.ApiErrors;

/**
 * Agent identities (docs/adr/0006-agent-certificates.md): enrollment tokens
 * ({@code GET/POST /api/v1/enrollment-tokens}, {@code DELETE /api/v1/enrollment-tokens/{id}}) and
 * the client certificates issued to nodes ({@code GET /api/v1/node-certificates?node=ID},
 * {@code POST /api/v1/node-certificates/{serial}/revoke}). Node credentials as a whole stay under
 * {@code /api/v1/node-credentials} ({@link AccessApi}).
 */
public final class AgentIdentityApi {
  static final Duration DEFAULT_TOKEN_TTL = Duration.ofDays(1);
  private static final Pattern SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private final NodeIdentities nodes;

  public AgentIdentityApi(NodeIdentities nodes) {
    this.nodes = requireNonNull(nodes, "nodes");
  }

  /**
   * {@code GET} lists; {@code POST {"name", "oneTime"?: true, "ttlSeconds"?: 86400}} creates (the
   * token text is in the answer once); {@code DELETE /{id}} revokes.
   */
  public HttpService enrollmentTokens() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      String id = c.pathParam("id");
      if (id != null) {
        if (c.method() != HttpMethod.DELETE) {
          return Http.methodNotAllowed(c, "DELETE /api/v1/enrollment-tokens/{id}");
        }
        Principal p = Http.principal(c);
        return nodes.tokens().revoke(id, p.username(), Http.source(c))
            ? ApiErrors.success(Map.of("revoked", id)) : Http.notFound("enrollment token " + abbreviate(id)
                + " not found or already revoked");
      }
      if (c.method() == HttpMethod.GET) {
        return ApiErrors.success(nodes.tokens().list().stream().map(EnrollmentTokens.Token::toView).toList());
      }
      if (c.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(c, "GET or POST");
      }
      Principal p = Http.principal(c);
      boolean oneTime = bool(body, "oneTime", true);
      Duration ttl = DEFAULT_TOKEN_TTL;
      JsonNode t = body.path("ttlSeconds");
      if (!t.isMissingNode() && !t.isNull()) {
        if (!t.canConvertToLong() || !t.isIntegralNumber()) {
          throw new IllegalArgumentException("ttlSeconds: " + t + " (expected: an integer number of seconds)");
        }
        ttl = Duration.ofSeconds(t.asLong());
      }
      Map.Entry<String, EnrollmentTokens.Token> created = nodes.tokens().create(Http.text(body, "name", true),
          oneTime, ttl, p.username(), Http.source(c));
      Map<String, Object> out = new LinkedHashMap<>(created.getValue().toView());
      out.put("token", created.getKey());
      return HttpResponse.ofJson(HttpStatus.CREATED, Map.of("status", "success", "data", out));
    });
  }

  /** {@code GET ?node=ID} lists issued certificates; {@code POST /{serial}/revoke} revokes one. */
  public HttpService certificates() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      String serial = c.pathParam("serial");
      if (serial == null) {
        if (c.method() != HttpMethod.GET) {
          return Http.methodNotAllowed(c, "GET");
        }
        String node = c.queryParam("node");
        if (node != null && !NODE_ID.matcher(node).matches()) {
          return ApiErrors.badData("node: \"" + abbreviate(node) + "\" (expected: a node id)");
        }
        return ApiErrors.success(nodes.certificates(node));
      }
      if (c.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(c, "POST /api/v1/node-certificates/{serial}/revoke");
      }
      if (!SERIAL.matcher(serial).matches()) {
        return ApiErrors.badData("serial: \"" + abbreviate(serial) + "\" (expected: hexadecimal, as listed)");
      }
      Principal p = Http.principal(c);
      String node = nodes.revokeCertificate(serial, p.username(), Http.source(c));
      return node != null ? ApiErrors.success(Map.of("revoked", serial.toLowerCase(java.util.Locale.ROOT),
          "nodeId", node)) : Http.notFound("certificate " + serial + " not found or already revoked");
    });
  }

  private static boolean bool(JsonNode body, String field, boolean dflt) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(field + ": " + v.getNodeType() + " (expected: true or false)");
    }
    return v.asBoolean();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
