package syslens.server.auth;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a user, an API key, a source address): each holds one minute's budget and
 * refills evenly. At most {@link #MAX_KEYS} keys are tracked (least recently used dropped), so a
 * flood of distinct keys cannot grow memory. One key's flood never touches another key's bucket.
 */
final class RateLimiter {
  static final int MAX_KEYS = 20_000;

  private final int perMinute;
  private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
      return size() > MAX_KEYS;
    }
  };

  /** {@code perMinute} 0 = unlimited. */
  RateLimiter(int perMinute) {
    if (perMinute < 0) {
      throw new IllegalArgumentException("perMinute: " + perMinute + " (expected: >= 0)");
    }
    this.perMinute = perMinute;
  }

  int perMinute() {
    return perMinute;
  }

  /** Takes one token for {@code key}: zero when allowed, else how long until one is available. */
  Duration take(String key) {
    if (perMinute == 0) {
      return Duration.ZERO;
    }
    Bucket b;
    synchronized (buckets) {
      b = buckets.computeIfAbsent(key, k -> Bucket.builder()
          .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
          .build());
    }
    ConsumptionProbe p = b.tryConsumeAndReturnRemaining(1);
    return p.isConsumed() ? Duration.ZERO : Duration.ofNanos(Math.max(1, p.getNanosToWaitForRefill()));
  }

  /** {@code 429} with {@code Retry-After} (whole seconds, at least 1) and a JSON error body. */
  static HttpResponse tooMany(Duration retryAfter, String reason) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("errorType", "rate_limited");
    body.put("error", reason);
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    body.put("retryAfterSeconds", seconds);
    return HttpResponse.ofJson(ResponseHeaders.builder(HttpStatus.TOO_MANY_REQUESTS)
        .add(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds)).build(), body);
  }
}
