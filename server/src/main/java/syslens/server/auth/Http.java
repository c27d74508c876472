package syslens.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import syslens.security.Principal;
import syslens.security.Users;
import syslens.server.api.ApiErrors;

/** Small shared pieces of the security endpoints: JSON bodies, the caller, its source address. */
final class Http {
  static final int MAX_BODY_BYTES = 16 * 1024;
  /** The longest element of a string list (role names, permissions, scope selectors). */
  static final int MAX_ELEMENT = 1024;
  static final ObjectMapper JSON = new ObjectMapper();

  /** A handler of a parsed request; runs on the blocking executor (bcrypt, JDBC). */
  @FunctionalInterface
  interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, JsonNode body) throws Exception;
  }

  private Http() {}

  /** Aggregates the body (at most {@link #MAX_BODY_BYTES}), parses JSON, runs {@code h} off the event loop. */
  static HttpResponse json(ServiceRequestContext ctx, HttpRequest req, Handler h) {
    ctx.setMaxRequestLength(MAX_BODY_BYTES);
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      // The limit above is too late when a decorator aggregated the body first (NulRefusal).
      if (agg.content().length() > MAX_BODY_BYTES) {
        return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
            + agg.content().length() + " bytes (expected: <= " + MAX_BODY_BYTES + ")");
      }
      JsonNode body;
      try {
        body = parse(agg);
      } catch (IOException e) {
        return ApiErrors.badData("body: not JSON (expected: a JSON object)");
      }
      try {
        return h.handle(ctx, body);
      } catch (IllegalArgumentException e) {
        return ApiErrors.badData(e.getMessage());
      } catch (Exception e) {
        return HttpResponse.ofFailure(e);
      }
    }, ctx.blockingTaskExecutor()));
  }

  private static JsonNode parse(AggregatedHttpRequest agg) throws IOException {
    if (agg.content().isEmpty()) {
      return NullNode.getInstance();
    }
    JsonNode n = JSON.readTree(agg.content().array());
    if (n == null || !(n.isObject() || n.isNull())) {
      throw new IOException("not an object");
    }
    return n;
  }

  static Principal principal(ServiceRequestContext ctx) {
    Principal p = ctx.attr(AuthDecorator.PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("no principal on " + ctx.path() + ": route not behind AuthDecorator");
    }
    return p;
  }

  static Users.Actor actor(ServiceRequestContext ctx) {
    return new Users.Actor(principal(ctx).username(), source(ctx));
  }

  /** IPv4 addresses count alone; IPv6 by /64, the block one subscriber usually holds. */
  static String source(ServiceRequestContext ctx) {
    return clientKey(ctx.clientAddress());
  }

  static String clientKey(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
    }
    return a.getHostAddress();
  }

  static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + ": missing (expected: a string)");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + ": " + v.getNodeType() + " (expected: a string)");
    }
    return v.asText();
  }

  static Set<String> strings(JsonNode body, String field) {
    JsonNode v = body.path(field);
    Set<String> out = new HashSet<>();
    if (v.isMissingNode() || v.isNull()) {
      return out;
    }
    if (!v.isArray() || v.size() > 64) {
      throw new IllegalArgumentException(field + ": (expected: an array of at most 64 strings)");
    }
    int i = 0;
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException(field + ": " + e.getNodeType() + " element (expected: strings)");
      }
      if (e.asText().length() > MAX_ELEMENT) {
        throw new IllegalArgumentException(field + "[" + i + "]: " + e.asText().length() + " characters (expected: <= "
            + MAX_ELEMENT + ")");
      }
      out.add(e.asText());
      i++;
    }
    return out;
  }

  static HttpResponse notFound(String what) {
    return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", what);
  }

  static HttpResponse methodNotAllowed(ServiceRequestContext ctx, String expected) {
    return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + ctx.method()
        + " (expected: " + expected + ")");
  }
}
