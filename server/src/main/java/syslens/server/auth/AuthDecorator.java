package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.util.Optional;
import syslens.server.api.ApiErrors;

/**
 * Requires a valid bearer token. Browsers cannot set headers on a WebSocket handshake, so the
 * live endpoint also accepts {@code ?token=}. Applied to everything but health checks, login and
 * static assets.
 */
public final class AuthDecorator implements DecoratingHttpServiceFunction {
  public static final AttributeKey<TokenService.Principal> PRINCIPAL =
      AttributeKey.valueOf(AuthDecorator.class, "PRINCIPAL");

  private final TokenService tokens;
  private final String queryTokenPath;

  public AuthDecorator(TokenService tokens, String queryTokenPath) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.queryTokenPath = requireNonNull(queryTokenPath, "queryTokenPath");
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    String token = null;
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (ctx.path().equals(queryTokenPath)) {
      token = ctx.queryParam("token");
    }
    if (token == null) {
      return ApiErrors.unauthorized("missing bearer token (expected: Authorization: Bearer <token> from POST /api/v1/auth/login)");
    }
    Optional<TokenService.Principal> p = tokens.verify(token);
    if (p.isEmpty()) {
      return ApiErrors.unauthorized("invalid or expired token (expected: a token from POST /api/v1/auth/login)");
    }
    ctx.setAttr(PRINCIPAL, p.get());
    return delegate.serve(ctx, req);
  }
}
