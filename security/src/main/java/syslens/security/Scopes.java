package syslens.security;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Resource scopes: label selectors ({@code {group="team-a"}}, {@code {vcenter="vc1"}}, any
 * {@code {label=~"..."}}) declared on roles and users. A principal's effective scope is the union
 * of every selector declared on its role, the role's ancestors and the user; a series, node or
 * alert is visible when it matches at least one selector. When nothing on the way declares a
 * selector the principal is unscoped and sees everything its permissions allow (admin, and every
 * built-in role, declare none).
 *
 * <p>The security module stores selectors as text; what is a valid selector is decided by the
 * query language, so the composition root passes a checker ({@link Security.Builder#scopeChecker}).
 */
public final class Scopes {
  static final int MAX_SELECTORS = 32;
  static final int MAX_SELECTOR_CHARS = 512;

  private final UnaryOperator<String> checker;

  Scopes(UnaryOperator<String> checker) {
    this.checker = requireNonNull(checker, "checker");
  }

  /** Basic checks without a query language: braces, length, no line breaks. Null when fine. */
  static String basicProblem(String selector) {
    return selector.startsWith("{") && selector.endsWith("}") && selector.length() > 2 ? null
        : "expected: a label selector such as {group=\"team-a\"}";
  }

  /** The selectors trimmed and deduplicated; throws IllegalArgumentException naming a bad one. */
  List<String> check(java.util.Collection<String> selectors) {
    if (selectors.size() > MAX_SELECTORS) {
      throw new IllegalArgumentException("scopes: " + selectors.size() + " selectors (expected: <= "
          + MAX_SELECTORS + ")");
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String s : selectors) {
      String t = s == null ? "" : s.strip();
      String problem = t.length() > MAX_SELECTOR_CHARS ? "expected: <= " + MAX_SELECTOR_CHARS + " characters"
          : t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0 ? "expected: one line"
          : t.isEmpty() ? "expected: a label selector such as {group=\"team-a\"}" : checker.apply(t);
      if (problem != null) {
        throw new IllegalArgumentException("scopes: \"" + Users.abbreviate(t) + "\" (" + problem + ")");
      }
      out.add(t);
    }
    return new ArrayList<>(out);
  }

  static String join(List<String> selectors) {
    return String.join("\n", selectors);
  }

  static List<String> split(String stored) {
    if (stored == null || stored.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : stored.split("\n")) {
      if (!s.isBlank()) {
        out.add(s);
      }
    }
    return out;
  }
}
