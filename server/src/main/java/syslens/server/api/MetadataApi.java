package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import com.linecorp.armeria.server.ServiceRequestContext;
import syslens.query.QueryException;
import syslens.query.parser.Expr;
import syslens.query.parser.Parser;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.Series;

/**
 * Prometheus' metadata endpoints that Grafana's query editor calls: {@code /api/v1/labels},
 * {@code /api/v1/label/<name>/values} and {@code /api/v1/series}, with {@code match[]},
 * {@code start} and {@code end}. Answers are capped at {@value #MAX_RESULTS} entries.
 */
public final class MetadataApi {
  static final int MAX_RESULTS = 100_000;
  static final int MAX_MATCHERS = 32;

  private final Queryable base;
  private final BiFunction<ServiceRequestContext, Queryable, Queryable> scope;

  public MetadataApi(Queryable storage) {
    this(storage, (ctx, q) -> q);
  }

  /**
   * Reads {@code storage} as {@code scope} gives it for a request: limited to the principal's
   * resource scope, so label names, values and series outside it are never listed.
   */
  public MetadataApi(Queryable storage, BiFunction<ServiceRequestContext, Queryable, Queryable> scope) {
    this.base = requireNonNull(storage, "storage");
    this.scope = requireNonNull(scope, "scope");
  }

  public HttpService labels() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> collect(scope.apply(ctx, base), p, false, null));
  }

  public HttpService labelValues() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      String name = ctx.pathParam("name");
      if (name == null || !(LabelRules.isValidLabelName(name) || name.equals(Labels.METRIC_NAME))) {
        throw new IllegalArgumentException("invalid label name: \"" + PromParams.abbreviate(String.valueOf(name))
            + "\" (expected: name, a label name like [a-zA-Z_][a-zA-Z0-9_]*)");
      }
      return collect(scope.apply(ctx, base), p, false, name);
    });
  }

  public HttpService series() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> collect(scope.apply(ctx, base), p, true, null));
  }

  /**
   * {@code /api/v1/metadata} ({@code limit}, {@code metric}): SysLens' sources carry no TYPE or
   * HELP, so the type is inferred from the name as Prometheus' conventions have it, and help is
   * empty: {@code X_bucket} makes {@code X} a histogram (and hides {@code X_sum}, {@code X_count}),
   * a series {@code X} with a {@code quantile} label makes it a summary, {@code *_total} is a
   * counter, anything else a gauge.
   */
  public HttpService metricMetadata() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      int limit = -1;
      String l = p.get("limit");
      if (l != null && !l.isEmpty()) {
        try {
          limit = Integer.parseInt(l);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("limit must be a number");
        }
      }
      String metric = p.get("metric");
      Map<String, List<Map<String, String>>> out = new java.util.TreeMap<>();
      try (Querier q = scope.apply(ctx, base).querier(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)) {
        TreeSet<String> names = new TreeSet<>(q.labelValues(Labels.METRIC_NAME));
        for (String name : names) {
          if (limit >= 0 && out.size() >= limit) {
            break;
          }
          String type = inferType(q, names, name);
          if (type == null || (metric != null && !metric.isEmpty() && !metric.equals(baseName(name, type)))) {
            continue;
          }
          out.put(baseName(name, type), List.of(Map.of("type", type, "help", "", "unit", "")));
        }
      }
      return out;
    });
  }

  /** The inferred type of {@code name}, or null when it is part of another metric (X_sum of a histogram). */
  private static String inferType(Querier q, TreeSet<String> names, String name) {
    if (name.endsWith("_bucket")) {
      return "histogram";
    }
    for (String suffix : List.of("_sum", "_count")) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if (names.contains(base + "_bucket") || isSummary(q, names, base)) {
          return null;
        }
      }
    }
    if (isSummary(q, names, name)) {
      return "summary";
    }
    return name.endsWith("_total") ? "counter" : "gauge";
  }

  private static boolean isSummary(Querier q, TreeSet<String> names, String base) {
    return names.contains(base) && (names.contains(base + "_sum") || names.contains(base + "_count"))
        && q.select(List.of(Matcher.equal(Labels.METRIC_NAME, base), Matcher.regex("quantile", ".+"))).iterator().hasNext();
  }

  private static String baseName(String name, String type) {
    return type.equals("histogram") ? name.substring(0, name.length() - "_bucket".length()) : name;
  }

  /** Label names (name == null), one label's values, or whole series (series == true). */
  private static Object collect(Queryable storage, QueryParams p, boolean series, String name) {
    // Prometheus 2.42 prefixes match[] errors on /series only.
    List<List<Matcher>> selectors = selectors(p.getAll("match[]"), series ? "invalid parameter \"match[]\": " : "");
    if (series && selectors.isEmpty()) {
      throw new IllegalArgumentException("no match[] parameter provided");
    }
    long start = timeOr(p, "start", Long.MIN_VALUE / 2);
    long end = timeOr(p, "end", Long.MAX_VALUE / 2);
    if (end < start) {
      return List.of(); // Prometheus answers an empty list here, not an error
    }
    try (Querier q = storage.querier(start, end)) {
      if (selectors.isEmpty()) {
        return cap(name == null ? q.labelNames() : q.labelValues(name));
      }
      TreeSet<String> strings = new TreeSet<>();
      TreeSet<Labels> sets = new TreeSet<>();
      for (List<Matcher> m : selectors) {
        for (Series s : q.select(m)) {
          if (series) {
            sets.add(s.labels());
          } else if (name == null) {
            s.labels().forEach((n, v) -> strings.add(n));
          } else if (s.labels().has(name)) {
            strings.add(s.labels().get(name));
          }
          if (sets.size() + strings.size() > MAX_RESULTS) {
            throw new IllegalArgumentException("more than " + MAX_RESULTS
                + " results (expected: a narrower match[] or time range)");
          }
        }
      }
      if (!series) {
        return List.copyOf(strings);
      }
      List<Map<String, String>> out = new ArrayList<>(sets.size());
      sets.forEach(l -> out.add(l.toMap()));
      return out;
    }
  }

  /** An optional time parameter; empty counts as absent, as in Prometheus. */
  static long timeOr(QueryParams p, String name, long absent) {
    String v = p.get(name);
    return v == null || v.isEmpty() ? absent : PromParams.timeValue(name, v);
  }

  private static List<String> cap(List<String> l) {
    return l.size() <= MAX_RESULTS ? l : l.subList(0, MAX_RESULTS);
  }

  private static List<List<Matcher>> selectors(List<String> matches, String prefix) {
    if (matches.size() > MAX_MATCHERS) {
      throw new IllegalArgumentException("match[]: " + matches.size() + " selectors (expected: <= " + MAX_MATCHERS + ")");
    }
    List<List<Matcher>> out = new ArrayList<>();
    for (String m : matches) {
      if (m.length() > QueryApi.MAX_QUERY_LENGTH) {
        throw new IllegalArgumentException("invalid parameter \"match[]\": " + m.length() + " chars (expected: <= "
            + QueryApi.MAX_QUERY_LENGTH + ")");
      }
      Expr.VectorSelector vs;
      try {
        vs = Parser.parseMetricSelector(m);
      } catch (QueryException e) {
        throw new QueryException(e.kind(), prefix + e.getMessage(), e);
      }
      if (vs.matchers().stream().allMatch(Matcher::matchesEmpty)) {
        throw new IllegalArgumentException(prefix + "match[] must contain at least one non-empty matcher");
      }
      out.add(vs.matchers());
    }
    return out;
  }
}
