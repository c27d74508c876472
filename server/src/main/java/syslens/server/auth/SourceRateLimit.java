package syslens.server.auth;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Duration;
import java.util.Set;

/**
 * A request budget per source address (IPv4 address, IPv6 /64), applied to every HTTP request
 * before authentication, so a flood of anonymous or badly authenticated requests from one place
 * is cut off without reaching bcrypt or the database. Health checks and the agent's gRPC stream
 * are exempt (the stream is one long request; agents are limited by their own credential).
 */
public final class SourceRateLimit implements DecoratingHttpServiceFunction {
  private static final Set<String> EXEMPT = Set.of("/healthz", "/readyz");
  private final RateLimiter limiter;

  public SourceRateLimit(RateLimits limits) {
    this.limiter = new RateLimiter(limits.perSourcePerMinute());
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    MediaType type = req.contentType();
    if (EXEMPT.contains(ctx.path()) || (type != null && type.subtype().startsWith("grpc"))) {
      return delegate.serve(ctx, req);
    }
    Duration wait = limiter.take(Http.source(ctx));
    if (!wait.isZero()) {
      return RateLimiter.tooMany(wait, "too many requests from " + Http.source(ctx) + " (expected: at most "
          + limiter.perMinute() + " per minute per source address)");
    }
    return delegate.serve(ctx, req);
  }
}
