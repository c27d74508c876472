package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A rule group: rules evaluated together, in order, every {@code intervalMs}. */
public record GroupSpec(String name, long intervalMs, List<RuleSpec> rules) {
  public GroupSpec {
    requireNonNull(name, "name");
    rules = List.copyOf(requireNonNull(rules, "rules"));
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("interval: " + intervalMs + "ms (expected: > 0)");
    }
  }
}
