package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Clock;
import syslens.query.Engine;
import syslens.query.QueryException;
import syslens.query.Value;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range}: Prometheus' parameters (GET query string
 * or POST form) and response JSON, so Grafana's Prometheus data source works unchanged.
 */
public final class QueryApi {
  static final int MAX_QUERY_LENGTH = 16 * 1024;
  static final int MAX_FORM_BYTES = 64 * 1024;

  private final Engine engine;
  private final Clock clock;

  public QueryApi(Engine engine, Clock clock) {
    this.engine = requireNonNull(engine, "engine");
    this.clock = requireNonNull(clock, "clock");
  }

  public HttpService instant() {
    return (ctx, req) -> withParams(ctx, req, p -> {
      String q = query(p);
      String t = p.get("time");
      long time = t == null || t.isEmpty() ? clock.millis() : PromParams.time("time", t);
      return engine.instantQuery(q, time);
    });
  }

  public HttpService range() {
    return (ctx, req) -> withParams(ctx, req, p -> {
      String q = query(p);
      long start = PromParams.time("start", p.get("start"));
      long end = PromParams.time("end", p.get("end"));
      long step = PromParams.duration("step", p.get("step"));
      if (end < start) {
        throw new IllegalArgumentException("end timestamp must not be before start time");
      }
      if (step <= 0) {
        throw new IllegalArgumentException("zero or negative query resolution step widths are not accepted. Try a positive integer");
      }
      return engine.rangeQuery(q, start, end, step);
    });
  }

  private interface Eval {
    Value apply(QueryParams p);
  }

  private static String query(QueryParams p) {
    String q = p.get("query");
    if (q == null || q.isBlank()) {
      throw new IllegalArgumentException("query: missing (expected: a PromQL expression)");
    }
    if (q.length() > MAX_QUERY_LENGTH) {
      throw new IllegalArgumentException("query: " + q.length() + " chars (expected: <= " + MAX_QUERY_LENGTH + ")");
    }
    return q;
  }

  private static HttpResponse withParams(ServiceRequestContext ctx, HttpRequest req, Eval eval) {
    if (req.method() == HttpMethod.GET) {
      QueryParams p = ctx.queryParams();
      return HttpResponse.of(java.util.concurrent.CompletableFuture.supplyAsync(
          () -> run(eval, p), ctx.blockingTaskExecutor()));
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
    return HttpResponse.of(req.aggregate().thenApplyAsync((AggregatedHttpRequest agg) -> {
      QueryParams p = QueryParams.builder().add(ctx.queryParams())
          .add(QueryParams.fromQueryString(agg.contentUtf8())).build();
      return run(eval, p);
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse run(Eval eval, QueryParams p) {
    try {
      return ApiErrors.success(PromJson.data(eval.apply(p)));
    } catch (IllegalArgumentException e) {
      return ApiErrors.badData(e.getMessage());
    } catch (QueryException e) {
      HttpStatus status = switch (e.kind()) {
        case BAD_DATA -> HttpStatus.BAD_REQUEST;
        case EXECUTION -> HttpStatus.UNPROCESSABLE_ENTITY;
        case TIMEOUT -> HttpStatus.SERVICE_UNAVAILABLE;
      };
      return ApiErrors.error(status, e.errorType(), e.getMessage());
    }
  }
}
