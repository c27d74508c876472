package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A rule group: rules evaluated together, in order, every {@code intervalMs}. {@code owner} is
 * the user who created it ("" when unknown); {@code scope} the label selectors its rules are
 * evaluated under (their selections see only series matching one of them; empty: unscoped).
 * Owner and scope are set by the server from the saving principal, never read from a rule file.
 */
public record GroupSpec(String name, long intervalMs, List<RuleSpec> rules, String owner,
    List<String> scope) {
  public GroupSpec {
    requireNonNull(name, "name");
    rules = List.copyOf(requireNonNull(rules, "rules"));
    owner = owner == null ? "" : owner;
    scope = scope == null ? List.of() : List.copyOf(scope);
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("interval: " + intervalMs + "ms (expected: > 0)");
    }
  }

  /** An unowned, unscoped group. */
  public GroupSpec(String name, long intervalMs, List<RuleSpec> rules) {
    this(name, intervalMs, rules, "", List.of());
  }

  /** The same group with this owner and scope. */
  public GroupSpec owned(String owner, List<String> scope) {
    return new GroupSpec(name, intervalMs, rules, owner, scope);
  }
}
