package syslens.server.auth;

import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import syslens.query.QueryException;
import syslens.query.parser.Parser;
import syslens.security.Principal;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Queryable;
import syslens.storage.ScopedQueryable;

/**
 * The resource scope of a request: the principal's scope selectors (text, from the security
 * module) parsed into label matchers, and the storage as that principal may see it. Unscoped
 * principals get {@code null} and the storage itself (no wrapper). Parsed selectors are cached
 * (they are few: one set per team).
 */
public final class RequestScope {
  static final int MAX_CACHED = 4096;
  private final Map<String, List<Matcher>> parsed = new ConcurrentHashMap<>();

  /** What is wrong with a scope selector, or null when it is a valid one (the security module's checker). */
  public static String problem(String selector) {
    try {
      List<Matcher> m = Parser.parseMetricSelector(selector).matchers();
      if (m.stream().allMatch(Matcher::matchesEmpty)) {
        return "expected: at least one matcher that does not match the empty value, e.g. {group=\"team-a\"}";
      }
      return null;
    } catch (QueryException | IllegalArgumentException e) {
      return e.getMessage() + "; expected: a label selector such as {group=\"team-a\"}";
    }
  }

  /** The principal's scope as matchers, or null when unscoped. */
  public List<List<Matcher>> of(Principal p) {
    if (p == null || !p.scoped()) {
      return null;
    }
    return of(p.scope());
  }

  /** Scope selectors (text) as matchers, or null when {@code selectors} is null (unscoped). */
  public List<List<Matcher>> of(List<String> selectors) {
    if (selectors == null) {
      return null;
    }
    List<List<Matcher>> out = new ArrayList<>(selectors.size());
    for (String s : selectors) {
      List<Matcher> m = parsed.get(s);
      if (m == null) {
        if (problem(s) != null) {
          continue; // saved before a stricter check: it shows nothing rather than everything
        }
        m = List.copyOf(Parser.parseMetricSelector(s).matchers());
        if (parsed.size() >= MAX_CACHED) {
          parsed.clear();
        }
        parsed.put(s, m);
      }
      out.add(m);
    }
    return out;
  }

  /** The scope of the request's principal, or null when unscoped. */
  public List<List<Matcher>> of(ServiceRequestContext ctx) {
    return of(ctx.attr(AuthDecorator.PRINCIPAL));
  }

  /** {@code base} as the request's principal may see it ({@code base} itself when unscoped). */
  public Queryable queryable(ServiceRequestContext ctx, Queryable base) {
    return ScopedQueryable.of(base, of(ctx));
  }

  /** True when labels (of a series, a node, an alert) are inside the request's scope. */
  public boolean visible(ServiceRequestContext ctx, Labels labels) {
    return ScopedQueryable.visible(of(ctx), labels);
  }
}
