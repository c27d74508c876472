package syslens.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import syslens.server.api.ApiErrors;

/**
 * The port speaks HTTPS and plain HTTP. Plain HTTP is served only to clients on this host (so a
 * local browser needs no certificate exception); anything that crosses the network must use TLS.
 */
final class PlainHttpLoopbackOnly implements DecoratingHttpServiceFunction {
  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (!ctx.sessionProtocol().isTls() && !ctx.remoteAddress().getAddress().isLoopbackAddress()) {
      return ApiErrors.error(HttpStatus.FORBIDDEN, "tls_required",
          "plain HTTP is accepted from this host only (expected: https://)");
    }
    return delegate.serve(ctx, req);
  }
}
