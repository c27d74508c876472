package syslens.server.api;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A debug mode that logs where a sample of requests spend their wall time, phase by phase:
 * {@code -Dsyslens.debug.requestPhases=N} logs every Nth request (0, the default, logs none and
 * costs one volatile read per request). Each line gives, in microseconds from the moment the
 * first byte of the request was read: the request fully decoded, the decorators and
 * authentication passed, the query parsed, evaluated and encoded as JSON, the first and the last
 * byte of the response written; and the thread each phase ran on (an event loop or a query thread);
 * and the first byte's {@code System.nanoTime()} ({@code t0_ns}).
 */
public final class RequestPhases implements DecoratingHttpServiceFunction {
  /** The phases marked inside the request path, in order. */
  public enum Phase { AUTHENTICATED, PARSED, EVALUATED, ENCODED }

  private static final Logger LOG = LoggerFactory.getLogger(RequestPhases.class);
  private static final AttributeKey<Marks> MARKS = AttributeKey.valueOf(RequestPhases.class, "MARKS");
  private static final int EVERY = Integer.getInteger("syslens.debug.requestPhases", 0);

  private final AtomicLong seen = new AtomicLong();

  private static final class Marks {
    final long[] at = new long[Phase.values().length];
    final String[] thread = new String[Phase.values().length];
  }

  /** True when the debug mode is on (else the decorator need not be installed). */
  public static boolean enabled() {
    return EVERY > 0;
  }

  /** Records that the current request reached {@code phase} now (a no-op unless it is sampled). */
  public static void mark(ServiceRequestContext ctx, Phase phase) {
    if (EVERY == 0 || ctx == null) {
      return;
    }
    Marks m = ctx.attr(MARKS);
    if (m != null) {
      m.at[phase.ordinal()] = System.nanoTime();
      m.thread[phase.ordinal()] = Thread.currentThread().getName();
    }
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    if (seen.getAndIncrement() % EVERY == 0) {
      Marks m = new Marks();
      ctx.setAttr(MARKS, m);
      long entered = System.nanoTime();
      ctx.log().whenComplete().thenAccept(log -> LOG.info(line(ctx, log, entered, m)));
    }
    return delegate.serve(ctx, req);
  }

  private static String line(ServiceRequestContext ctx, RequestLog log, long entered, Marks m) {
    long t0 = log.requestStartTimeNanos();
    StringBuilder b = new StringBuilder("phases ").append(ctx.method()).append(' ').append(ctx.path())
        .append(" status=").append(log.responseHeaders().status().code())
        .append(" decoded=").append(us(log.requestEndTimeNanos() - t0))
        .append(" service=").append(us(entered - t0));
    for (Phase p : Phase.values()) {
      long at = m.at[p.ordinal()];
      if (at != 0) {
        b.append(' ').append(p.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(us(at - t0))
            .append('[').append(m.thread[p.ordinal()]).append(']');
      }
    }
    return b.append(" response_start=").append(us(log.responseStartTimeNanos() - t0))
        .append(" response_end=").append(us(log.responseEndTimeNanos() - t0))
        .append(" bytes=").append(log.responseLength())
        // System.nanoTime of the first byte read: the same clock as a client's on this host (Linux's
        // monotonic clock), so a client's send and receive times can be set beside these phases.
        .append(" t0_ns=").append(t0).toString();
  }

  private static long us(long nanos) {
    return nanos / 1_000;
  }
}
