package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import java.time.Clock;
import syslens.query.Engine;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range}: Prometheus' parameters (GET query string
 * or POST form) and response JSON, so Grafana's Prometheus data source works unchanged.
 */
public final class QueryApi {
  static final int MAX_QUERY_LENGTH = 16 * 1024;

  private final Engine engine;
  private final Clock clock;

  public QueryApi(Engine engine, Clock clock) {
    this.engine = requireNonNull(engine, "engine");
    this.clock = requireNonNull(clock, "clock");
  }

  public HttpService instant() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      String q = query(p);
      String t = p.get("time");
      long time = t == null || t.isEmpty() ? clock.millis() : PromParams.time("time", t);
      return PromJson.data(engine.instantQuery(q, time));
    });
  }

  public HttpService range() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
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
      return PromJson.data(engine.rangeQuery(q, start, end, step));
    });
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
}
