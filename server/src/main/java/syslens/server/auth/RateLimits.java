package syslens.server.auth;

/**
 * Request budgets per minute (token buckets that hold one minute's budget, refilled evenly): per
 * user (access tokens), per API key, per source address (every request but health checks and the
 * agent stream, before authentication), and for login/refresh per source address (stricter).
 * 0 turns a limit off (not allowed for login).
 */
public record RateLimits(int perUserPerMinute, int perApiKeyPerMinute, int perSourcePerMinute, int loginPerMinute) {
  public RateLimits {
    check("perUserPerMinute", perUserPerMinute, 0);
    check("perApiKeyPerMinute", perApiKeyPerMinute, 0);
    check("perSourcePerMinute", perSourcePerMinute, 0);
    check("loginPerMinute", loginPerMinute, 1);
  }

  /** 1,200 per user, 6,000 per API key, 6,000 per source address, 20 logins per source address. */
  public static RateLimits defaults() {
    return new RateLimits(1_200, 6_000, 6_000, 20);
  }

  private static void check(String name, int v, int min) {
    if (v < min || v > 10_000_000) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: " + min + "-10000000"
          + (min == 0 ? ", 0 = unlimited" : "") + ")");
    }
  }
}
