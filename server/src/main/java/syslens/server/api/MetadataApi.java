package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import syslens.query.Engine;
import syslens.query.parser.Expr;
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

  private final Queryable storage;

  public MetadataApi(Queryable storage) {
    this.storage = requireNonNull(storage, "storage");
  }

  public HttpService labels() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> collect(p, false, null));
  }

  public HttpService labelValues() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      String name = ctx.pathParam("name");
      if (name == null || !(LabelRules.isValidLabelName(name) || name.equals(Labels.METRIC_NAME))) {
        throw new IllegalArgumentException("invalid label name: \"" + PromParams.abbreviate(String.valueOf(name)) + "\"");
      }
      return collect(p, false, name);
    });
  }

  public HttpService series() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> collect(p, true, null));
  }

  /** Label names (name == null), one label's values, or whole series (series == true). */
  private Object collect(QueryParams p, boolean series, String name) {
    List<List<Matcher>> selectors = selectors(p.getAll("match[]"));
    if (series && selectors.isEmpty()) {
      throw new IllegalArgumentException("no match[] parameter provided");
    }
    long start = p.contains("start") ? PromParams.time("start", p.get("start")) : Long.MIN_VALUE / 2;
    long end = p.contains("end") ? PromParams.time("end", p.get("end")) : Long.MAX_VALUE / 2;
    if (end < start) {
      throw new IllegalArgumentException("end timestamp must not be before start time");
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

  private static List<String> cap(List<String> l) {
    return l.size() <= MAX_RESULTS ? l : l.subList(0, MAX_RESULTS);
  }

  private static List<List<Matcher>> selectors(List<String> matches) {
    if (matches.size() > MAX_MATCHERS) {
      throw new IllegalArgumentException("match[]: " + matches.size() + " selectors (expected: <= " + MAX_MATCHERS + ")");
    }
    List<List<Matcher>> out = new ArrayList<>();
    for (String m : matches) {
      if (m.length() > QueryApi.MAX_QUERY_LENGTH) {
        throw new IllegalArgumentException("match[]: " + m.length() + " chars (expected: <= " + QueryApi.MAX_QUERY_LENGTH + ")");
      }
      Expr e = Engine.parse(m);
      if (!(e instanceof Expr.VectorSelector vs) || vs.offsetMs() != 0 || vs.at() != null) {
        throw new IllegalArgumentException("match[]: \"" + PromParams.abbreviate(m)
            + "\" (expected: a series selector like up{job=\"node\"})");
      }
      out.add(vs.matchers());
    }
    return out;
  }
}
