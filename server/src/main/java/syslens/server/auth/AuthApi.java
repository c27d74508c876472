package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import syslens.security.LoginResult;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.security.User;
import syslens.server.api.ApiErrors;

/**
 * Sessions over HTTP: {@code POST /api/v1/auth/login} and {@code /refresh} (public, rate limited
 * per source address), {@code /logout}, {@code /logout-all}, {@code /password},
 * {@code /totp/begin}, {@code /totp/confirm}, and {@code GET/PATCH /api/v1/me}.
 */
public final class AuthApi {
  private final Security security;
  private final int attemptsPerMinute;
  private final RateLimiter perSource;

  public AuthApi(Security security, int attemptsPerMinute) {
    this.security = requireNonNull(security, "security");
    if (attemptsPerMinute < 1) {
      throw new IllegalArgumentException("attemptsPerMinute: " + attemptsPerMinute + " (expected: >= 1)");
    }
    this.attemptsPerMinute = attemptsPerMinute;
    this.perSource = new RateLimiter(attemptsPerMinute);
  }

  /** {@code POST /api/v1/auth/login} with {@code {"username","password","code"?}}. */
  public HttpService login() {
    return (ctx, req) -> {
      if (req.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(ctx, "POST");
      }
      Duration wait = perSource.take(Http.source(ctx));
      if (!wait.isZero()) {
        return tooMany(wait, "too many login attempts (expected: at most " + attemptsPerMinute + " per minute per client)");
      }
      return Http.json(ctx, req, (c, body) -> {
        String username = Http.text(body, "username", false);
        String password = Http.text(body, "password", false);
        if (username == null || password == null) {
          return ApiErrors.badData("body: missing username or password (expected: {\"username\":\"...\",\"password\":\"...\"})");
        }
        if (username.length() > 128 || password.length() > 1024) {
          return ApiErrors.badData("username or password: too long (expected: username <= 128, password <= 1024 chars)");
        }
        return answer(c, security.logins().login(username, password, Http.text(body, "code", false), Http.source(c)));
      });
    };
  }

  /** {@code POST /api/v1/auth/refresh} with {@code {"refreshToken"}}: new access and refresh tokens. */
  public HttpService refresh() {
    return (ctx, req) -> {
      if (req.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(ctx, "POST");
      }
      Duration wait = perSource.take(Http.source(ctx));
      if (!wait.isZero()) {
        return tooMany(wait, "too many refresh attempts (expected: at most "
            + attemptsPerMinute + " per minute per client)");
      }
      return Http.json(ctx, req, (c, body) ->
          answer(c, security.logins().refresh(Http.text(body, "refreshToken", true), Http.source(c))));
    };
  }

  /** {@code POST /api/v1/auth/logout}: ends this session. */
  public HttpService logout() {
    return post((ctx, body) -> {
      security.logins().logout(Http.principal(ctx), Http.source(ctx));
      return ApiErrors.success(Map.of("loggedOut", true));
    });
  }

  /** {@code POST /api/v1/auth/logout-all}: ends every session of the user. */
  public HttpService logoutAll() {
    return post((ctx, body) -> ApiErrors.success(Map.of("sessionsEnded",
        security.logins().logoutEverywhere(Http.principal(ctx), Http.source(ctx)))));
  }

  /** {@code POST /api/v1/auth/password} {@code {"currentPassword","newPassword"}}: a fresh access token. */
  public HttpService password() {
    return post((ctx, body) -> {
      Principal p = Http.principal(ctx);
      User u = security.users().get(p.username()).orElseThrow(() -> new IllegalArgumentException("user: gone"));
      security.users().changeOwnPassword(u, Http.text(body, "currentPassword", true),
          Http.text(body, "newPassword", true), p.sessionId(), Http.actor(ctx));
      return security.logins().reissue(p).map(s -> HttpResponse.ofJson(tokens(s)))
          .orElseGet(() -> ApiErrors.success(Map.of("changed", true)));
    });
  }

  /** {@code POST /api/v1/auth/totp/begin} and {@code /confirm} {@code {"code"}}. */
  public HttpService totp() {
    return post((ctx, body) -> {
      Principal p = Http.principal(ctx);
      if (ctx.path().endsWith("/begin")) {
        return ApiErrors.success(Map.of("otpauthUri", security.logins().beginTotp(p)));
      }
      if (ctx.path().endsWith("/confirm")) {
        List<String> codes = security.logins().confirmTotp(p, Http.text(body, "code", true), Http.source(ctx));
        return ApiErrors.success(Map.of("recoveryCodes", codes));
      }
      return Http.notFound("no TOTP endpoint at " + ctx.path() + " (expected: /api/v1/auth/totp/begin or /confirm)");
    });
  }

  /** {@code GET /api/v1/me}: the user, effective permissions; {@code PATCH} {@code {"language"}}. */
  public HttpService me() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      Principal p = Http.principal(c);
      User u = security.users().get(p.username()).orElseThrow(() -> new IllegalArgumentException("user: gone"));
      if (c.method() == HttpMethod.PATCH || c.method() == HttpMethod.PUT) {
        String lang = Http.text(body, "language", true);
        security.users().setLanguage(u, lang, Http.actor(c));
        u = security.users().get(p.username()).orElseThrow();
      } else if (c.method() != HttpMethod.GET) {
        return Http.methodNotAllowed(c, "GET or PATCH");
      }
      Map<String, Object> out = new LinkedHashMap<>(u.toView());
      out.put("restricted", p.restricted());
      out.put("permissions", security.users().effective(u).toView());
      return ApiErrors.success(out);
    });
  }

  private HttpService post(Http.Handler h) {
    return (ctx, req) -> req.method() != HttpMethod.POST ? Http.methodNotAllowed(ctx, "POST") : Http.json(ctx, req, h);
  }

  private static HttpResponse answer(ServiceRequestContext ctx, LoginResult r) {
    return switch (r) {
      case LoginResult.Success s -> HttpResponse.ofJson(tokens(s));
      case LoginResult.TotpRequired t -> ApiErrors.error(HttpStatus.UNAUTHORIZED, "totp_required",
          "second factor needed (expected: \"code\": the 6 digits of your authenticator, or a recovery code)");
      case LoginResult.Refused f -> tooMany(f.retryAfter(), f.reason());
      case LoginResult.Invalid i -> i.delay().isZero() ? ApiErrors.unauthorized(i.reason())
          : HttpResponse.of(CompletableFuture.supplyAsync(() -> ApiErrors.unauthorized(i.reason()),
              CompletableFuture.delayedExecutor(i.delay().toNanos(), TimeUnit.NANOSECONDS, ctx.eventLoop())));
    };
  }

  static Map<String, Object> tokens(LoginResult.Success s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token", s.accessToken());
    out.put("expiresAt", s.accessExpiresAt());
    if (s.refreshToken() != null) {
      out.put("refreshToken", s.refreshToken());
      out.put("refreshExpiresAt", s.refreshExpiresAt());
    }
    out.put("username", s.user().username());
    out.put("role", s.user().role());
    out.put("language", s.user().language());
    out.put("restricted", s.restricted());
    return out;
  }

  private static HttpResponse tooMany(Duration retryAfter, String reason) {
    return RateLimiter.tooMany(retryAfter, reason);
  }
}
