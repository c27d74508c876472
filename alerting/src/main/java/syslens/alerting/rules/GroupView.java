package syslens.alerting.rules;

import java.util.List;

/** A group as the API shows it. */
public record GroupView(GroupSpec spec, List<RuleView> rules, long lastEvalMs,
    double lastEvalSeconds) {}
