package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.server.api.ApiErrors;
import syslens.server.meta.UserStore;

/**
 * {@code POST /api/v1/auth/login} with {@code {"username","password"}}: a bearer token, or 401.
 * Rate limited per client address (bcrypt is deliberately slow; so are password guessers).
 */
public final class LoginService implements HttpService {
  static final int MAX_BODY_BYTES = 8 * 1024;
  private static final Logger log = LoggerFactory.getLogger(LoginService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TRACKED_CLIENTS = 10_000;

  private final UserStore users;
  private final TokenService tokens;
  private final int attemptsPerMinute;
  /** Least recently used clients are forgotten first; bounded memory. */
  private final Map<String, Bucket> buckets = new java.util.LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
      return size() > MAX_TRACKED_CLIENTS;
    }
  };
  /** bcrypt checks running at once; beyond that, answer 429 rather than queue CPU work. */
  private final java.util.concurrent.Semaphore verifying = new java.util.concurrent.Semaphore(4);

  public LoginService(UserStore users, TokenService tokens, int attemptsPerMinute) {
    this.users = requireNonNull(users, "users");
    this.tokens = requireNonNull(tokens, "tokens");
    this.attemptsPerMinute = attemptsPerMinute;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + req.method() + " (expected: POST)");
    }
    if (!bucket(ctx.clientAddress()).tryConsume(1)) {
      return ApiErrors.error(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
          "too many login attempts (expected: at most " + attemptsPerMinute + " per minute per client)");
    }
    ctx.setMaxRequestLength(MAX_BODY_BYTES);
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      if (!verifying.tryAcquire()) {
        return ApiErrors.error(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
            "too many logins in progress (expected: retry in a second)");
      }
      try {
        return login(agg);
      } finally {
        verifying.release();
      }
    }, ctx.blockingTaskExecutor()));
  }

  private HttpResponse login(AggregatedHttpRequest agg) {
    JsonNode body;
    try {
      body = JSON.readTree(agg.content().array());
    } catch (IOException e) {
      return ApiErrors.badData("body: not JSON (expected: {\"username\":\"...\",\"password\":\"...\"})");
    }
    if (body == null || !body.path("username").isTextual() || !body.path("password").isTextual()) {
      return ApiErrors.badData("body: missing username or password (expected: {\"username\":\"...\",\"password\":\"...\"})");
    }
    String username = body.get("username").asText();
    String password = body.get("password").asText();
    UserStore.User user = users.find(username).orElse(null);
    if (!Passwords.verify(password, user == null ? null : user.passwordHash())) {
      log.info("login failed for a user name of {} chars", username.length());
      return ApiErrors.unauthorized("invalid username or password");
    }
    TokenService.Issued t = tokens.issue(user.username(), user.role());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token", t.token());
    out.put("expiresAt", t.expiresAt().toEpochMilli());
    out.put("username", user.username());
    out.put("role", user.role());
    return HttpResponse.ofJson(out);
  }

  private Bucket bucket(InetAddress client) {
    String key = clientKey(client);
    synchronized (buckets) {
      return buckets.computeIfAbsent(key, a -> Bucket.builder()
          .addLimit(Bandwidth.builder().capacity(attemptsPerMinute)
              .refillGreedy(attemptsPerMinute, Duration.ofMinutes(1)).build())
          .build());
    }
  }

  /** IPv4 addresses count alone; IPv6 by /64, the block one subscriber usually holds. */
  static String clientKey(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
    }
    return a.getHostAddress();
  }
}
