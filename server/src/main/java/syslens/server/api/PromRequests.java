package syslens.server.api;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import syslens.query.QueryException;

/**
 * The request side of Prometheus' HTTP API: parameters from the query string (GET) or a form
 * body (POST, at most {@value #MAX_FORM_BYTES} bytes), work on the blocking executor (metadata)
 * or the query executor (PromQL), and errors mapped to Prometheus' JSON envelope and status codes.
 */
final class PromRequests {
  /**
   * The largest form body read: the server-wide request limit, so that an over-long query in a
   * form is read and refused by the parameter checks in Prometheus' envelope rather than by a
   * reset stream.
   */
  static final int MAX_FORM_BYTES = 1024 * 1024;

  /**
   * Computes a response's {@code data} from the request parameters, or the whole response (an
   * {@link HttpResponse}, such as a query result streamed by {@link PromJson}).
   */
  interface Handler {
    Object apply(QueryParams p);
  }

  private PromRequests() {}

  static HttpResponse handle(ServiceRequestContext ctx, HttpRequest req, Handler handler) {
    return handle(ctx, req, task -> CompletableFuture.supplyAsync(task, ctx.blockingTaskExecutor()), handler);
  }

  /** Where handlers run: the blocking executor, or the query executor for PromQL. */
  interface Runner {
    CompletableFuture<HttpResponse> run(java.util.function.Supplier<HttpResponse> task);
  }

  /** Like {@link #handle(ServiceRequestContext, HttpRequest, Handler)}, on the query threads. */
  static HttpResponse handle(ServiceRequestContext ctx, HttpRequest req, QueryExecutor queries, Handler handler) {
    return handle(ctx, req, queries::submit, handler);
  }

  /** A PromQL handler: evaluates with the inline limits ({@code inline}) or the server's. */
  interface QueryHandler {
    Object apply(QueryParams p, boolean inline);
  }

  /**
   * Like {@link #handle(ServiceRequestContext, HttpRequest, QueryExecutor, Handler)}, but a query
   * whose shape {@code inline} knows as small is evaluated right here on the event loop (no
   * hand-off to a query thread and back); one that turns out not to be, or fails on an execution
   * limit or the inline deadline, is evaluated again on the query threads with the server's limits.
   */
  static HttpResponse handleQuery(ServiceRequestContext ctx, HttpRequest req, QueryExecutor queries,
      InlineQueries inline, QueryHandler handler) {
    return dispatch(ctx, req, p -> {
      String shape = inline.shapeOf(p.get("query"));
      if (inline.inline(shape)) {
        long cpu = inline.cpuNow();
        HttpResponse r = runInline(handler, p);
        if (r != null) {
          inline.record(shape, cpu);
          return r;
        }
        inline.demote(shape);
      }
      return HttpResponse.of(queries.submit(() -> {
        long cpu = inline.cpuNow();
        HttpResponse r = run(q -> handler.apply(q, false), p);
        inline.record(shape, cpu);
        return r;
      }).exceptionally(PromRequests::failed));
    });
  }

  /** Where a request's parameters are handled once known (GET at once, POST once the form is read). */
  private interface Dispatch {
    HttpResponse apply(QueryParams p);
  }

  private static HttpResponse handle(ServiceRequestContext ctx, HttpRequest req, Runner runner, Handler handler) {
    return dispatch(ctx, req, p -> HttpResponse.of(runner.run(() -> run(handler, p)).exceptionally(PromRequests::failed)));
  }

  private static HttpResponse dispatch(ServiceRequestContext ctx, HttpRequest req, Dispatch dispatch) {
    if (req.method() == HttpMethod.GET) {
      return dispatch.apply(ctx.queryParams());
    }
    if (req.method() != HttpMethod.POST) {
      return ApiErrors.error(HttpStatus.METHOD_NOT_ALLOWED, "bad_data", "method: " + req.method() + " (expected: GET or POST)");
    }
    MediaType ct = req.contentType();
    if (ct != null && !ct.is(MediaType.FORM_DATA)) {
      return ApiErrors.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "bad_data",
          "content type: " + ct + " (expected: application/x-www-form-urlencoded)");
    }
    ctx.setMaxRequestLength(MAX_FORM_BYTES);
    return HttpResponse.of(req.aggregate().thenApply((AggregatedHttpRequest agg) -> {
      // Form values first, as Go's Request.FormValue lets the body win over the URL.
      QueryParams p = QueryParams.builder().add(QueryParams.fromQueryString(agg.contentUtf8()))
          .add(ctx.queryParams()).build();
      return dispatch.apply(p);
    }).exceptionally(PromRequests::failed));
  }

  /** A failure outside the handler (queue full or timed out): Prometheus' error envelope. */
  private static HttpResponse failed(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof QueryException e) {
      return error(e);
    }
    if (c instanceof com.linecorp.armeria.common.ContentTooLargeException) {
      return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "request body: more than "
          + MAX_FORM_BYTES + " bytes (expected: a form of at most " + MAX_FORM_BYTES + " bytes)");
    }
    if (c instanceof RuntimeException r) {
      throw r;
    }
    throw new java.util.concurrent.CompletionException(c);
  }

  static HttpResponse error(QueryException e) {
    HttpStatus status = switch (e.kind()) {
      case BAD_DATA -> HttpStatus.BAD_REQUEST;
      case EXECUTION -> HttpStatus.UNPROCESSABLE_ENTITY;
      case TIMEOUT, UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
    };
    return ApiErrors.error(status, e.errorType(), e.getMessage());
  }

  /**
   * Evaluates with the inline limits; null when the query must go to the query threads instead
   * (an execution limit or the inline deadline was hit, or the storage failed).
   */
  private static HttpResponse runInline(QueryHandler handler, QueryParams p) {
    try {
      Object data = handler.apply(p, true);
      return data instanceof HttpResponse r ? r : ApiErrors.success(data);
    } catch (IllegalArgumentException e) {
      return ApiErrors.badData(e.getMessage());
    } catch (QueryException e) {
      return e.kind() == QueryException.Kind.BAD_DATA ? error(e) : null;
    } catch (syslens.storage.StorageException e) {
      return null;
    }
  }

  private static HttpResponse run(Handler handler, QueryParams p) {
    try {
      Object data = handler.apply(p);
      return data instanceof HttpResponse r ? r : ApiErrors.success(data);
    } catch (IllegalArgumentException e) {
      return ApiErrors.badData(e.getMessage());
    } catch (QueryException e) {
      return error(e);
    } catch (syslens.storage.StorageException e) {
      // A remote store that does not answer: 503 naming it (Grafana shows the message and retries).
      return error(new QueryException(QueryException.Kind.UNAVAILABLE, e.getMessage(), e));
    }
  }
}
