package syslens.server.api;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the statuses Armeria produces itself (a request line or headers too long, a body over
 * its limit, a request timeout, an unexpected failure) under {@code /api/} as Prometheus' error
 * envelope, so clients such as Grafana always get JSON with a message, never a plain-text page
 * or a stack trace.
 */
public final class ApiErrorHandler implements ServerErrorHandler {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return null; // the default handler maps it to a status, which renderStatus then renders
  }

  @Override
  public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
      RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
    String path = headers != null ? headers.path() : ctx != null ? ctx.path() : null;
    if (path != null && !path.startsWith("/api/")) {
      return null; // other routes keep Armeria's rendering
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("errorType", switch (status.code()) {
      case 503, 504 -> "timeout";
      case 500 -> "internal";
      default -> "bad_data";
    });
    long limit = ctx != null ? ctx.maxRequestLength() : config != null ? config.maxRequestLength() : -1;
    body.put("error", status.code() == 413 && limit > 0
        ? "request body: too large (expected: at most " + limit + " bytes for " + (path == null ? "this route" : path) + ")" : message(status));
    try {
      return AggregatedHttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
  }

  private static String message(HttpStatus status) {
    return switch (status.code()) {
      case 414 -> "request line: too long (expected: a URL of at most 65536 bytes; POST the parameters "
          + "as a form instead)";
      case 431 -> "request headers: too large (expected: at most 64 KiB of headers)";
      case 413 -> "request body: too large (expected: a form of at most " + PromRequests.MAX_FORM_BYTES + " bytes)";
      case 503, 504 -> "request timed out (" + status + "); try again later or narrow the query";
      case 500 -> "internal error (" + status + "); see the server log";
      default -> "request refused: " + status;
    };
  }
}
