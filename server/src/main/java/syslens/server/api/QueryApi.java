package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import java.time.Clock;
import syslens.query.Engine;
import syslens.query.QueryException;
import syslens.query.parser.Expr;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range}: Prometheus' parameters (GET query string
 * or POST form) and response JSON, so Grafana's Prometheus data source works unchanged. SysLens
 * adds {@code raw=true}: answer from raw samples, never from a rollup tier.
 */
public final class QueryApi {
  static final int MAX_QUERY_LENGTH = 16 * 1024;

  private final Engine engine;
  private final QueryExecutor queries;
  private final Clock clock;

  /** Evaluates with {@code engine} on {@code queries}' threads. */
  public QueryApi(Engine engine, QueryExecutor queries, Clock clock) {
    this.engine = requireNonNull(engine, "engine");
    this.queries = requireNonNull(queries, "queries");
    this.clock = requireNonNull(clock, "clock");
  }

  public HttpService instant() {
    return (ctx, req) -> PromRequests.handle(ctx, req, queries, p -> {
      String t = p.get("time");
      long time = t == null || t.isEmpty() ? clock.millis() : PromParams.time("time", t);
      return PromJson.data(engine.instantQuery(query(p), time, raw(p)));
    });
  }

  public HttpService range() {
    return (ctx, req) -> PromRequests.handle(ctx, req, queries, p -> {
      long start = PromParams.time("start", p.get("start"));
      long end = PromParams.time("end", p.get("end"));
      long step = PromParams.duration("step", p.get("step"));
      if (end < start) {
        throw new QueryException(QueryException.Kind.BAD_DATA,
            "invalid parameter \"end\": end timestamp must not be before start time");
      }
      if (step <= 0) {
        throw new QueryException(QueryException.Kind.BAD_DATA, "invalid parameter \"step\": zero or "
            + "negative query resolution step widths are not accepted. Try a positive integer");
      }
      // Prometheus checks the range before it parses the query.
      Engine.checkRange(start, end, step);
      return PromJson.data(engine.rangeQuery(query(p), start, end, step, raw(p)));
    });
  }

  /**
   * {@code raw=true} reads raw samples only (no rollup tier); absent or {@code false} lets the
   * engine read rollups where the step and range allow.
   */
  static boolean raw(QueryParams p) {
    String r = p.get("raw");
    if (r == null || r.isEmpty() || r.equals("false")) {
      return false;
    }
    if (r.equals("true")) {
      return true;
    }
    throw new QueryException(QueryException.Kind.BAD_DATA,
        "invalid parameter \"raw\": " + PromParams.abbreviate(r) + " (expected: true or false)");
  }

  /** The parsed {@code query} parameter; parse errors carry Prometheus' parameter prefix. */
  private static Expr query(QueryParams p) {
    String q = p.get("query");
    if (q == null || q.isBlank()) {
      throw new IllegalArgumentException("query: missing (expected: a PromQL expression)");
    }
    if (q.length() > MAX_QUERY_LENGTH) {
      throw new IllegalArgumentException("query: " + q.length() + " chars (expected: <= " + MAX_QUERY_LENGTH + ")");
    }
    try {
      return Engine.parse(q);
    } catch (QueryException e) {
      throw new QueryException(e.kind(), "invalid parameter \"query\": " + e.getMessage(), e);
    }
  }
}
