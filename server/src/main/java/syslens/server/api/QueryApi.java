package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import java.time.Clock;
import java.time.Duration;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.List;
import syslens.query.Engine;
import syslens.query.QueryException;
import syslens.query.parser.Expr;
import syslens.query.parser.ExprFormat;
import syslens.query.parser.ParseCache;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range}: Prometheus' parameters (GET query string
 * or POST form) and response JSON, so Grafana's Prometheus data source works unchanged. SysLens
 * adds {@code raw=true}: answer from raw samples, never from a rollup tier.
 */
public final class QueryApi {
  static final int MAX_QUERY_LENGTH = 16 * 1024;
  /**
   * Parsed queries remembered by text and by shape (dashboards and Grafana send the same few again
   * at every refresh, one panel per host differing only in its matcher values): {@link ParseCache}.
   * Only queries of at most {@link #MAX_PARSED_LENGTH} chars; beyond {@code MAX_PARSED} of them
   * the memory starts afresh.
   */
  static final int MAX_PARSED = 1024;
  static final int MAX_PARSED_LENGTH = 1024;

  private final Engine engine;
  private final Function<Duration, Engine> withTimeout;
  private final Duration maxTimeout;
  private final QueryExecutor queries;
  private final Clock clock;
  private final BiFunction<ServiceRequestContext, Engine, Engine> scope;
  private final ParseCache parsed = ParseCache.create(MAX_PARSED, MAX_PARSED_LENGTH);
  private final InlineQueries inline;
  private final Engine inlineEngine;

  /** Evaluates with {@code engine} on {@code queries}' threads; the timeout parameter is checked only. */
  public QueryApi(Engine engine, QueryExecutor queries, Clock clock) {
    this(engine, t -> engine, Duration.ofMillis(Long.MAX_VALUE), queries, clock);
  }

  /**
   * Like {@link #QueryApi(Engine, QueryExecutor, Clock)}; a request's {@code timeout} shorter
   * than {@code maxTimeout} (the server's) evaluates with {@code withTimeout.apply(timeout)}, as
   * Prometheus caps the parameter by {@code --query.timeout}.
   */
  public QueryApi(Engine engine, Function<Duration, Engine> withTimeout, Duration maxTimeout, QueryExecutor queries,
      Clock clock) {
    this(engine, withTimeout, maxTimeout, queries, clock, (ctx, e) -> e);
  }

  /**
   * Like {@link #QueryApi(Engine, Function, Duration, QueryExecutor, Clock)}; {@code scope} gives
   * the engine a request may use: the same engine over the storage limited to the principal's
   * resource scope (enforced in storage reads, so no PromQL can reach past it).
   */
  public QueryApi(Engine engine, Function<Duration, Engine> withTimeout, Duration maxTimeout, QueryExecutor queries,
      Clock clock, BiFunction<ServiceRequestContext, Engine, Engine> scope) {
    this(engine, withTimeout, maxTimeout, queries, clock, scope, InlineQueries.off());
  }

  /**
   * Like {@link #QueryApi(Engine, Function, Duration, QueryExecutor, Clock, BiFunction)}; queries
   * that {@code inline} knows as small are evaluated on the event loop that received them, with
   * {@code withTimeout.apply(inline.deadline())} (only for storage that answers from memory or
   * local files: never give this a remote store).
   */
  public QueryApi(Engine engine, Function<Duration, Engine> withTimeout, Duration maxTimeout, QueryExecutor queries,
      Clock clock, BiFunction<ServiceRequestContext, Engine, Engine> scope, InlineQueries inline) {
    this.inline = requireNonNull(inline, "inline");
    this.inlineEngine = withTimeout.apply(inline.deadline());
    this.scope = requireNonNull(scope, "scope");
    this.engine = requireNonNull(engine, "engine");
    this.withTimeout = requireNonNull(withTimeout, "withTimeout");
    this.maxTimeout = requireNonNull(maxTimeout, "maxTimeout");
    this.queries = requireNonNull(queries, "queries");
    this.clock = requireNonNull(clock, "clock");
  }

  public HttpService instant() {
    return (ctx, req) -> PromRequests.handleQuery(ctx, req, queries, inline, (p, small) -> {
      String t = p.get("time");
      long time = t == null || t.isEmpty() ? clock.millis() : PromParams.timeValue("time", t);
      Engine e = scope.apply(ctx, engine(p, small));
      Expr expr = query(p);
      RequestPhases.mark(ctx, RequestPhases.Phase.PARSED);
      return encoded(ctx, e.instantQuery(expr, time, raw(p)));
    });
  }

  public HttpService range() {
    return (ctx, req) -> PromRequests.handleQuery(ctx, req, queries, inline, (p, small) -> {
      long start = PromParams.time("start", p.get("start"));
      long end = PromParams.time("end", p.get("end"));
      long step = PromParams.duration("step", p.get("step"));
      Engine e = scope.apply(ctx, engine(p, small));
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
      // Prometheus 2.42 reports query_range's parse errors without the parameter prefix.
      Expr expr = parse(p, "");
      RequestPhases.mark(ctx, RequestPhases.Phase.PARSED);
      return encoded(ctx, e.rangeQuery(expr, start, end, step, raw(p)));
    });
  }

  /** The result in Prometheus' JSON envelope (with the debug phases marked around it). */
  private static com.linecorp.armeria.common.HttpResponse encoded(ServiceRequestContext ctx, syslens.query.Value v) {
    RequestPhases.mark(ctx, RequestPhases.Phase.EVALUATED);
    com.linecorp.armeria.common.HttpResponse r = PromJson.success(v, ctx.alloc());
    RequestPhases.mark(ctx, RequestPhases.Phase.ENCODED);
    return r;
  }

  /** {@code /api/v1/format_query}: the query prettified as Prometheus 2.42 does it. */
  public HttpService formatQuery() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> ExprFormat.pretty(query(p)));
  }

  /**
   * {@code /api/v1/query_exemplars}: SysLens stores no exemplars, so a valid request answers an
   * empty list; parameters are checked as Prometheus checks them.
   */
  public HttpService exemplars() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      long start = MetadataApi.timeOr(p, "start", Long.MIN_VALUE / 2);
      long end = MetadataApi.timeOr(p, "end", Long.MAX_VALUE / 2);
      if (end < start) {
        throw new IllegalArgumentException("end timestamp must not be before start timestamp");
      }
      parse(p, ""); // Prometheus reports these parse errors without the parameter prefix
      return List.of();
    });
  }

  /**
   * The engine for the optional {@code timeout} parameter (Grafana sends its data source's query
   * timeout): a shorter deadline than the server's, never a longer one.
   */
  private Engine engine(QueryParams p, boolean small) {
    String t = p.get("timeout");
    if (t == null || t.isEmpty()) {
      return small ? inlineEngine : engine;
    }
    long ms = PromParams.duration("timeout", t);
    if (small && (ms <= 0 || ms >= inline.deadline().toMillis())) {
      return inlineEngine;
    }
    return ms > 0 && ms < maxTimeout.toMillis() ? withTimeout.apply(Duration.ofMillis(ms)) : engine;
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
  private Expr query(QueryParams p) {
    return parse(p, "invalid parameter \"query\": ");
  }

  private Expr parse(QueryParams p, String prefix) {
    String q = p.get("query");
    if (q == null) {
      q = "";
    }
    if (q.length() > MAX_QUERY_LENGTH) {
      throw new IllegalArgumentException(prefix + q.length() + " chars (expected: <= " + MAX_QUERY_LENGTH + ")");
    }
    try {
      return parsed.parse(q);
    } catch (QueryException ex) {
      throw new QueryException(ex.kind(), prefix + ex.getMessage(), ex);
    }
  }
}
