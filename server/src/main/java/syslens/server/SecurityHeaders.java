package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * Security headers on every response, also on errors (they are set as the context's additional
 * response headers, which Armeria merges into whatever response is finally written, including
 * those of the error handler): CSP for the built dashboard, no framing, no MIME sniffing, no
 * referrer across origins, and HSTS on HTTPS. No CORS headers: cross-origin access stays closed
 * unless origins are configured (then {@code CorsService} answers them).
 *
 * <p>CSP: scripts only from this origin (the Vite build emits external module scripts and no
 * inline script). {@code style-src} allows {@code 'unsafe-inline'} because Ant Design's CSS-in-JS
 * injects {@code <style>} elements at run time and ECharts and React set {@code style} attributes;
 * inline styles cannot run code. Images and fonts may be {@code data:} URLs (the favicon, antd's
 * icons).
 */
final class SecurityHeaders implements DecoratingHttpServiceFunction {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
      + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  static final String HSTS = "max-age=31536000";

  private final String csp;

  SecurityHeaders() {
    this(CSP);
  }

  SecurityHeaders(String csp) {
    this.csp = requireNonNull(csp, "csp");
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    ctx.mutateAdditionalResponseHeaders(h -> {
      h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, csp);
      h.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
      h.set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
      h.set(HttpHeaderNames.REFERRER_POLICY, "no-referrer");
      if (ctx.sessionProtocol().isTls()) {
        h.set(HttpHeaderNames.STRICT_TRANSPORT_SECURITY, HSTS);
      }
    });
    return delegate.serve(ctx, req);
  }
}
