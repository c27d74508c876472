package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import syslens.security.AuditLog;
import syslens.security.Principal;

/**
 * Audit records of refused requests (a rejected token, a body over its limit, a rate limit hit)
 * whose growth stays bounded under a flood: at most one record per source address, action and
 * reason per window (one minute), and at most {@link #MAX_PER_WINDOW} records per action and
 * reason per window over all sources. Requests left out are counted, and the next record of the
 * same source (or, for the cap, of the same action and reason) says how many. The records are
 * written on the caller's blocking executor, never on an event loop.
 *
 * <p>As a server decorator it records every response {@code 413} ({@code request.too_large})
 * and {@code 429} ({@code request.rate_limited}), whichever part of the server produced it.
 */
public final class RefusalAudit implements DecoratingHttpServiceFunction {
  public static final Duration WINDOW = Duration.ofMinutes(1);
  static final int MAX_PER_WINDOW = 60;
  private final AuditLog audit;
  private final Clock clock;
  /** source|action|reason -> {window start ms, left out}; holds only keys recorded in the last window. */
  private final LinkedHashMap<String, long[]> perSource = new LinkedHashMap<>();
  /** action|reason -> {window start ms, written, left out}. */
  private final Map<String, long[]> perReason = new HashMap<>();

  public RefusalAudit(AuditLog audit, Clock clock) {
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Records a refusal unless one like it (same source, action and reason) was recorded in this
   * window; call it where blocking is allowed. Returns whether a record was written.
   */
  public boolean record(String actor, String action, String reason, String target, String source, String detail) {
    String note = admit(action, reason, source);
    if (note == null) {
      return false;
    }
    audit.append(actor, action, target, source, "reason: " + reason + (detail.isEmpty() ? "" : "; " + detail) + note);
    return true;
  }

  /** Null when the refusal is only counted, else the note to append (counts left out before). */
  synchronized String admit(String action, String reason, String source) {
    long now = clock.millis();
    long window = WINDOW.toMillis();
    String key = source + "|" + action + "|" + reason;
    long[] s = perSource.get(key);
    if (s != null && now - s[0] < window) {
      s[1]++;
      return null;
    }
    long leftOut = s == null ? 0 : s[1];
    for (Iterator<long[]> it = perSource.values().iterator(); it.hasNext(); ) {
      if (now - it.next()[0] < window) {
        break; // insertion order is time order: the rest are younger
      }
      it.remove();
    }
    long[] r = perReason.computeIfAbsent(action + "|" + reason, k -> new long[] {now, 0, 0});
    String note = leftOut == 0 ? "" : "; " + leftOut + " more like it from this source not recorded before";
    if (now - r[0] >= window) {
      if (r[2] > 0) {
        note += "; " + r[2] + " more from other sources in the previous minute not recorded";
      }
      r[0] = now;
      r[1] = 0;
      r[2] = 0;
    }
    if (r[1] >= MAX_PER_WINDOW) {
      r[2] += 1 + leftOut;
      return null;
    }
    r[1]++;
    perSource.remove(key);
    perSource.put(key, new long[] {now, 0});
    return note;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    ctx.log().whenComplete().thenAccept(log -> {
      if (!log.isAvailable(com.linecorp.armeria.common.logging.RequestLogProperty.RESPONSE_HEADERS)) {
        return;
      }
      int status = log.responseHeaders().status().code();
      if (status != 413 && status != 429) {
        return;
      }
      String action = status == 413 ? "request.too_large" : "request.rate_limited";
      String reason = status == 413 ? "body_over_limit" : "too_many_requests";
      Principal p = ctx.attr(AuthDecorator.PRINCIPAL);
      String source = Http.source(ctx);
      String detail = ctx.method() + " " + ctx.path() + (status == 413 ? ", limit " + ctx.maxRequestLength()
          + " bytes, declared length " + req.headers().contentLength() : "");
      Executor blocking = ctx.blockingTaskExecutor();
      String note = admit(action, reason, source);
      if (note == null) {
        return;
      }
      blocking.execute(() -> audit.append(p == null ? "anonymous" : p.username(), action, ctx.path(), source,
          "reason: " + reason + "; " + detail + note));
    });
    return delegate.serve(ctx, req);
  }
}
