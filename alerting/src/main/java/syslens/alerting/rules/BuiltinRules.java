package syslens.alerting.rules;

import java.util.List;
import java.util.Map;

/**
 * Rules every server runs, in the read-only group {@value #GROUP}: {@code NodeDown} fires at the
 * first evaluation that sees a node's {@code up} series at 0 (the server writes 0 when an agent
 * disconnects or stops reporting), with no {@code for}, so it does not wait out the lookback.
 */
public final class BuiltinRules {
  public static final String GROUP = "syslens-builtin";
  static final long INTERVAL_MS = 15_000;

  private BuiltinRules() {}

  public static GroupSpec group() {
    RuleSpec nodeDown = new RuleSpec("NodeDown", RuleSpec.Kind.THRESHOLD, "up == 0", null, null,
        null, 0, 0, "critical", Map.of(), Map.of(
            "summary", "Node {{ $labels.node }} ({{ $labels.instance }}) is down",
            "description", "The up series of {{ $labels.node }} is 0: its agent disconnected or "
                + "stopped reporting."));
    return new GroupSpec(GROUP, INTERVAL_MS, List.of(nodeDown));
  }
}
