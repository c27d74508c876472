package syslens.report;

import static java.util.Objects.requireNonNull;

import java.util.List;
import syslens.query.QueryException;
import syslens.query.parser.Parser;
import syslens.storage.Matcher;

/**
 * Which nodes a report covers: every node, a node group ({@code group} label), a vCenter cluster
 * ({@code cluster} label) or any label selector. Applied as a storage scope ({@code
 * ScopedQueryable}) on top of the requester's own, so a report never sees more than either allows.
 *
 * @param kind all, group, cluster or selector
 * @param value the group or cluster name, or the selector text; "" for all
 * @param matchers the selector's matchers, empty for all
 */
public record ReportScope(String kind, String value, List<Matcher> matchers) {
  static final int MAX_SELECTOR_CHARS = 512;
  static final int MAX_NAME_CHARS = 256;

  public ReportScope {
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
    matchers = List.copyOf(matchers);
  }

  public static ReportScope all() {
    return new ReportScope("all", "", List.of());
  }

  /**
   * Parses a scope from the API: {@code kind} all, group, cluster or selector and its value.
   *
   * @throws IllegalArgumentException naming what was wrong and what was expected
   */
  public static ReportScope parse(String kind, String value) {
    String k = kind == null || kind.isBlank() ? "all" : kind.trim();
    String v = value == null ? "" : value.trim();
    switch (k) {
      case "all" -> {
        return all();
      }
      case "group", "cluster" -> {
        if (v.isEmpty() || v.length() > MAX_NAME_CHARS) {
          throw new IllegalArgumentException("scope." + k + ": " + (v.isEmpty() ? "empty" : v.length() + " characters")
              + " (expected: the name of a " + (k.equals("group") ? "node group" : "vCenter cluster") + ", 1 to "
              + MAX_NAME_CHARS + " characters)");
        }
        return new ReportScope(k, v, List.of(Matcher.equal(k, v)));
      }
      case "selector" -> {
        if (v.isEmpty() || v.length() > MAX_SELECTOR_CHARS) {
          throw new IllegalArgumentException("scope.selector: " + v.length() + " characters (expected: a label selector "
              + "of 1 to " + MAX_SELECTOR_CHARS + " characters, e.g. {env=\"prod\"})");
        }
        List<Matcher> ms;
        try {
          ms = List.copyOf(Parser.parseMetricSelector(v).matchers());
        } catch (QueryException | IllegalArgumentException e) {
          throw new IllegalArgumentException("scope.selector: " + e.getMessage() + " (expected: a label selector such as "
              + "{env=\"prod\"})");
        }
        if (ms.stream().allMatch(Matcher::matchesEmpty)) {
          throw new IllegalArgumentException("scope.selector: " + v + " selects every series (expected: at least one "
              + "matcher that rejects the empty value, e.g. {env=\"prod\"})");
        }
        return new ReportScope(k, v, ms);
      }
      default -> throw new IllegalArgumentException("scope.kind: \"" + k + "\" (expected: all, group, cluster or selector)");
    }
  }

  /** How the scope reads on a cover page, e.g. {@code group=team-a}. */
  public String describe() {
    return kind.equals("all") ? "all" : kind.equals("selector") ? value : kind + "=" + value;
  }
}
