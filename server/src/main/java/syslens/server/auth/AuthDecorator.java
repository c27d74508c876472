package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.server.api.ApiErrors;

/**
 * Authentication and function-level authorization for every route but health checks, login,
 * single sign-on ({@code /api/v1/auth/oidc/*}, {@link OidcApi}),
 * refresh and static assets: a bearer access token or API key ({@code Authorization: Bearer}),
 * HTTP basic auth with a user name and API key (Grafana), or {@code ?token=} on the live
 * WebSocket (browsers cannot set headers there). The principal is resolved against the user's
 * current state: in memory on the event loop when that state was read within the last seconds
 * ({@link Security#authenticateCached}), else on the blocking executor, which reads the database
 * and audits refusals. Then the permission the
 * route needs ({@link AccessRules}) is checked. Each user and each API key has its own request
 * budget ({@link RateLimits}): over it, {@code 429} with {@code Retry-After}. Refused credentials
 * are audited ({@link RefusalAudit}).
 */
public final class AuthDecorator implements DecoratingHttpServiceFunction {
  public static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf(AuthDecorator.class, "PRINCIPAL");
  static final int MAX_HEADER = 4096;

  private final Security security;
  private final String queryTokenPath;
  private final RateLimiter perUser;
  private final RateLimiter perApiKey;

  private final RefusalAudit refusals;

  /**
   * {@code refusals} records each refused credential ({@code auth.token_rejected} with the reason,
   * the claimed user and the source address), bounded under a flood.
   */
  public AuthDecorator(Security security, String queryTokenPath, RateLimits limits, RefusalAudit refusals) {
    this.security = requireNonNull(security, "security");
    this.refusals = requireNonNull(refusals, "refusals");
    this.queryTokenPath = requireNonNull(queryTokenPath, "queryTokenPath");
    requireNonNull(limits, "limits");
    this.perUser = new RateLimiter(limits.perUserPerMinute());
    this.perApiKey = new RateLimiter(limits.perApiKeyPerMinute());
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) {
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    String bearer = null;
    String basicUser = null;
    String basicSecret = null;
    if (header != null && header.length() <= MAX_HEADER && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      bearer = header.substring(7).trim();
    } else if (header != null && header.length() <= MAX_HEADER && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0) {
          basicUser = pair.substring(0, colon);
          basicSecret = pair.substring(colon + 1);
        }
      } catch (IllegalArgumentException e) {
        return ApiErrors.unauthorized("Authorization: Basic value is not base64 (expected: base64 of user:apikey)");
      }
    } else if (ctx.path().equals(queryTokenPath)) {
      bearer = ctx.queryParam("token");
    }
    if (bearer == null && basicSecret == null) {
      return ApiErrors.unauthorized("missing credentials (expected: Authorization: Bearer <token> from "
          + "POST /api/v1/auth/login, or an API key)");
    }
    // Fast path: a credential whose user, session or key was read within the last seconds is
    // verified in memory (an HMAC or SHA-256 check, no database, no bcrypt) and the request goes
    // on here, on the event loop; a cache miss or any refusal takes the blocking path below,
    // which reads the database and audits refusals.
    Optional<Principal> cached = bearer != null ? security.authenticateCached(bearer)
        : security.authenticateBasicCached(basicUser, basicSecret);
    if (cached.isPresent()) {
      return authorized(delegate, ctx, req, cached.get());
    }
    String b = bearer;
    String u = basicUser;
    String s = basicSecret;
    String source = Http.source(ctx);
    CompletableFuture<Optional<Principal>> who = CompletableFuture.supplyAsync(() -> {
      Security.Authentication a = b != null ? security.check(b) : security.checkBasic(u, s);
      if (a.principal() == null) {
        String claimed = a.subject() == null ? "" : a.subject();
        refusals.record("anonymous", "auth.token_rejected", a.rejection(), claimed, source,
            (b != null ? "bearer" : "basic") + (claimed.isEmpty() ? "" : ", claimed user \"" + claimed + "\"") + ", "
                + ctx.method() + " " + ctx.path());
      }
      return Optional.ofNullable(a.principal());
    }, ctx.blockingTaskExecutor());
    return HttpResponse.of(who.thenApplyAsync(p -> {
      if (p.isEmpty()) {
        return ApiErrors.unauthorized("invalid, expired or revoked credentials (expected: a token from "
            + "POST /api/v1/auth/login or /api/v1/auth/refresh, or a live API key)");
      }
      return authorized(delegate, ctx, req, p.get());
    }, ctx.eventLoop()));
  }

  /** An authenticated caller: its request budget, then the route's access rule, then the service. */
  private HttpResponse authorized(HttpService delegate, ServiceRequestContext ctx, HttpRequest req,
      Principal principal) {
    Duration wait = principal.apiKeyId() != null ? perApiKey.take(principal.apiKeyId())
        : perUser.take(principal.username());
    if (!wait.isZero()) {
      return RateLimiter.tooMany(wait, principal.apiKeyId() != null
          ? "too many requests with this API key (expected: at most " + perApiKey.perMinute() + " per minute)"
          : "too many requests by user " + principal.username() + " (expected: at most " + perUser.perMinute()
              + " per minute)");
    }
    Optional<AccessRules.Rule> rule = AccessRules.find(ctx.method(), ctx.path());
    if (rule.isEmpty()) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "no access rule for " + ctx.method() + " "
          + ctx.path() + " (expected: an endpoint listed in AccessRules)");
    }
    if (principal.restricted() != null && !rule.get().allowRestricted()) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, principal.restricted(), "account restricted: "
          + principal.restricted().replace('_', ' ') + " first (expected: POST /api/v1/auth/"
          + (principal.restricted().equals("change_password") ? "password" : "totp/begin") + ")");
    }
    String needed = rule.get().permission();
    if (!needed.isEmpty() && !principal.can(needed)) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "permission " + needed + " needed for "
          + ctx.method() + " " + ctx.path() + " (expected: a role or grant that includes it)");
    }
    ctx.setAttr(PRINCIPAL, principal);
    syslens.server.api.RequestPhases.mark(ctx, syslens.server.api.RequestPhases.Phase.AUTHENTICATED);
    try {
      return delegate.serve(ctx, req);
    } catch (Exception e) {
      return HttpResponse.ofFailure(e);
    }
  }
}
