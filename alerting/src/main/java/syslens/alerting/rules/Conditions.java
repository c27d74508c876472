package syslens.alerting.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the PromQL of the kinds that are not written as PromQL: trend rules
 * ({@code predict_linear} / {@code deriv}) and composite rules, which join the conditions (the
 * expressions, not the alert states) of the rules they name with {@code and}, {@code or} or
 * {@code unless}, optionally {@code on(labels)}. Building on expressions keeps a composite rule
 * exact at every evaluation time (also in rule tests) and independent of the order groups run
 * in; the {@code for} of the named rules is not inherited (give the composite its own).
 */
public final class Conditions {
  static final int MAX_COMPOSITE_DEPTH = 8;

  private Conditions() {}

  /** The expression of a trend rule. */
  public static String trendExpr(RuleSpec.Trend t) {
    String window = "[" + RuleJson.duration(t.windowMs()) + "]";
    String fn = t.function().equals("deriv")
        ? "deriv(" + t.metric() + window + ")"
        : "predict_linear(" + t.metric() + window + ", " + fmt(t.horizonMs() / 1000.0) + ")";
    return fn + " " + t.op() + " " + fmt(t.threshold());
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * The condition of {@code rule}: its own expression, or for a composite rule the joined
   * conditions of the rules it names, looked up in {@code byName} (alerting rules of every
   * group). IllegalArgumentException when a name is unknown, ambiguous, an anomaly rule, or the
   * references form a cycle.
   */
  public static String expression(RuleSpec rule, Map<String, List<RuleSpec>> byName) {
    return expression(rule, byName, new HashSet<>(), 0);
  }

  private static String expression(RuleSpec rule, Map<String, List<RuleSpec>> byName,
      Set<String> path, int depth) {
    if (rule.kind() != RuleSpec.Kind.COMPOSITE) {
      return rule.expr();
    }
    String where = "rule \"" + rule.name() + "\" composite";
    if (!path.add(rule.name()) || depth > MAX_COMPOSITE_DEPTH) {
      throw new IllegalArgumentException(where + ": rules: reference cycle through "
          + rule.name() + " (expected: composites that do not name themselves, at most "
          + MAX_COMPOSITE_DEPTH + " deep)");
    }
    RuleSpec.Composite c = rule.composite();
    String join = " " + c.op() + (c.on().isEmpty() ? "" : " on(" + String.join(", ", c.on())
        + ")") + " ";
    List<String> parts = new ArrayList<>();
    for (String n : c.rules()) {
      List<RuleSpec> found = byName.getOrDefault(n, List.of());
      if (found.isEmpty()) {
        throw new IllegalArgumentException(where + ": rules: \"" + RuleFiles.abbrev(n)
            + "\" not found (expected: the name of an alerting rule)");
      }
      if (found.size() > 1) {
        throw new IllegalArgumentException(where + ": rules: \"" + n + "\" names "
            + found.size() + " rules (expected: a unique alert name)");
      }
      RuleSpec ref = found.get(0);
      if (ref.kind() == RuleSpec.Kind.ANOMALY) {
        throw new IllegalArgumentException(where + ": rules: \"" + n + "\" is an anomaly rule "
            + "(expected: threshold, trend or composite rules; anomaly baselines are not PromQL)");
      }
      parts.add("(" + expression(ref, byName, path, depth + 1) + ")");
    }
    path.remove(rule.name());
    return String.join(join, parts);
  }
}
