package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import syslens.security.OidcLogins;
import syslens.security.Security;
import syslens.server.api.ApiErrors;

/**
 * Single sign-on over OpenID Connect (public routes, like login; rate limited per source):
 * {@code GET /api/v1/auth/oidc} ({@code {"enabled":bool}}), {@code GET .../start} (redirect to
 * the provider), {@code GET .../callback} (the provider's redirect back; on to the dashboard's
 * {@code /#/login/oidc?code=} with a one-time code, or {@code ?error=}), and
 * {@code POST .../exchange} {@code {"code"}} (the one-time code for the usual login JSON).
 */
public final class OidcApi {
  public static final String BASE = "/api/v1/auth/oidc";
  static final String DASHBOARD = "/#/login/oidc";
  private static final int MAX_PARAM = 4096;

  private final Optional<OidcLogins> oidc;
  private final int attemptsPerMinute;
  private final RateLimiter perSource;

  public OidcApi(Security security, int attemptsPerMinute) {
    this.oidc = requireNonNull(security, "security").oidc();
    if (attemptsPerMinute < 1) {
      throw new IllegalArgumentException("attemptsPerMinute: " + attemptsPerMinute + " (expected: >= 1)");
    }
    this.attemptsPerMinute = attemptsPerMinute;
    this.perSource = new RateLimiter(attemptsPerMinute);
  }

  /** {@code GET /api/v1/auth/oidc}: whether single sign-on is configured. */
  public HttpService status() {
    return (ctx, req) -> req.method() != HttpMethod.GET ? Http.methodNotAllowed(ctx, "GET")
        : ApiErrors.success(Map.of("enabled", oidc.isPresent()));
  }

  /** {@code GET /api/v1/auth/oidc/start}: 302 to the provider's authorization endpoint. */
  public HttpService start() {
    return get((ctx, o) -> redirect(o.start().toString()));
  }

  /** {@code GET /api/v1/auth/oidc/callback?state=&code=}: 302 to the dashboard with a one-time code or an error. */
  public HttpService callback() {
    return get((ctx, o) -> {
      String state = param(ctx, "state");
      String code = param(ctx, "code");
      String error = param(ctx, "error");
      return switch (o.callback(state, code, error, Http.source(ctx))) {
        case OidcLogins.Outcome.LoggedIn in -> redirect(DASHBOARD + "?code=" + enc(in.handoffCode()));
        case OidcLogins.Outcome.Refused r -> redirect(DASHBOARD + "?error=" + enc(r.reason()));
      };
    });
  }

  /** {@code POST /api/v1/auth/oidc/exchange} {@code {"code"}}: the login JSON of {@code POST /api/v1/auth/login}. */
  public HttpService exchange() {
    return (ctx, req) -> {
      if (req.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(ctx, "POST");
      }
      Duration wait = perSource.take(Http.source(ctx));
      if (!wait.isZero()) {
        return tooMany(wait);
      }
      return Http.json(ctx, req, (c, body) -> {
        String code = Http.text(body, "code", false);
        if (code == null || code.isBlank() || code.length() > 128) {
          return ApiErrors.badData("code: missing or too long (expected: {\"code\":\"<one-time code from the "
              + "single sign-on redirect>\"})");
        }
        if (oidc.isEmpty()) {
          return disabled();
        }
        return oidc.get().exchange(code).map(s -> HttpResponse.ofJson(AuthApi.tokens(s)))
            .orElseGet(() -> ApiErrors.unauthorized("code: unknown, used or expired (expected: a one-time code "
                + "used within 60 s; sign in again)"));
      });
    };
  }

  private HttpService get(Handler h) {
    return (ctx, req) -> {
      if (req.method() != HttpMethod.GET) {
        return Http.methodNotAllowed(ctx, "GET");
      }
      if (oidc.isEmpty()) {
        return disabled();
      }
      Duration wait = perSource.take(Http.source(ctx));
      if (!wait.isZero()) {
        return tooMany(wait);
      }
      return Http.json(ctx, req, (c, body) -> {
        try {
          return h.handle(c, oidc.get());
        } catch (IllegalStateException e) {
          return ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage());
        }
      });
    };
  }

  @FunctionalInterface
  private interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, OidcLogins oidc);
  }

  private static String param(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    if (v != null && v.length() > MAX_PARAM) {
      throw new IllegalArgumentException(name + ": " + v.length() + " chars (expected: <= " + MAX_PARAM + ")");
    }
    return v;
  }

  private static HttpResponse redirect(String location) {
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.FOUND).add(HttpHeaderNames.LOCATION, location)
        .add(HttpHeaderNames.CACHE_CONTROL, "no-store").build());
  }

  private static HttpResponse disabled() {
    return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found",
        "single sign-on is not configured (expected: start the server with --oidc-issuer and related flags)");
  }

  private HttpResponse tooMany(Duration wait) {
    return RateLimiter.tooMany(wait, "too many single sign-on attempts (expected: at most " + attemptsPerMinute
        + " per minute per client)");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
