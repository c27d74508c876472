package syslens.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Refuses a NUL character in any text an API request carries (path, query parameters, JSON
 * body strings) with a 400 naming where it is: PostgreSQL cannot store NUL in text (H2 can), so
 * without this the same request would be stored on one metadata database and fail with a 500 on
 * the other. Other control characters are left to each field's own rules. A JSON body is read
 * here only for requests with credentials and for the public login routes; the rest meet
 * authentication first. Services re-check their own smaller body limits after this has read it.
 */
public final class NulRefusal implements DecoratingHttpServiceFunction {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EXPECTED = ": contains a NUL character (expected: text without NUL)";

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    if (!ctx.path().startsWith("/api/")) {
      return delegate.serve(ctx, req);
    }
    if (ctx.decodedPath().indexOf('\0') >= 0) {
      return ApiErrors.badData("path" + EXPECTED);
    }
    for (Map.Entry<String, String> p : ctx.queryParams()) {
      if (p.getKey().indexOf('\0') >= 0 || p.getValue().indexOf('\0') >= 0) {
        return ApiErrors.badData(p.getKey().replace('\0', '?') + EXPECTED);
      }
    }
    MediaType type = req.contentType();
    boolean json = type != null && type.is(MediaType.ANY_APPLICATION_TYPE) && type.subtype().contains("json");
    if (!json || req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) {
      return delegate.serve(ctx, req);
    }
    if (!req.headers().contains(com.linecorp.armeria.common.HttpHeaderNames.AUTHORIZATION)
        && !ctx.path().startsWith("/api/v1/auth/")) {
      return delegate.serve(ctx, req); // refused by authentication without reading the body
    }
    return HttpResponse.of(req.aggregate().thenApply(agg -> {
      String body = agg.contentUtf8();
      if (body.indexOf('\0') >= 0 || body.contains("\\u0000")) {
        String where = nulField(body);
        if (where != null) {
          return ApiErrors.badData(where + EXPECTED);
        }
      }
      try {
        return delegate.serve(ctx, HttpRequest.of(agg.headers(), agg.content()));
      } catch (Exception e) {
        return HttpResponse.ofFailure(e);
      }
    }));
  }

  /** The path of the first string (or field name) holding NUL, "body" when the text is not JSON, else null. */
  static String nulField(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return body.indexOf('\0') >= 0 ? "body" : null;
    }
    return find(root, "");
  }

  private static String find(JsonNode n, String at) {
    if (n.isTextual()) {
      return n.asText().indexOf('\0') >= 0 ? (at.isEmpty() ? "body" : at) : null;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        String f = find(n.get(i), at + "[" + i + "]");
        if (f != null) {
          return f;
        }
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = (at.isEmpty() ? "" : at + ".") + e.getKey().replace('\0', '?');
      if (e.getKey().indexOf('\0') >= 0) {
        return name;
      }
      String f = find(e.getValue(), name);
      if (f != null) {
        return f;
      }
    }
    return null;
  }
}
