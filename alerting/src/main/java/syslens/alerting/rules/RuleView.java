package syslens.alerting.rules;

import java.util.List;

/** A rule as the API shows it. */
public final class RuleView {
  private final Rule rule;

  RuleView(Rule rule) {
    this.rule = rule;
  }

  public String key() {
    return rule.key;
  }

  public RuleSpec spec() {
    return rule.spec;
  }

  public String expr() {
    return rule.expr;
  }

  public String health() {
    return rule.health;
  }

  public String lastError() {
    return rule.lastError;
  }

  public long lastEvalMs() {
    return rule.lastEvalMs;
  }

  public double evalSeconds() {
    return rule.evalSeconds;
  }

  public String generatorUrl() {
    return rule.generatorUrl;
  }

  public List<AlertInstance.View> alerts() {
    return rule.views();
  }

  /** The anomaly band of a series at a time, or null (not an anomaly rule, nothing learned). */
  public double[] band(syslens.storage.Labels series, long tMs) {
    RuleSpec.Anomaly a = rule.spec.anomaly();
    if (a == null) {
      return null;
    }
    Baseline.Band b = rule.baseline.band(series, tMs, a.sensitivity(), a.minDeviation());
    return b == null ? null : new double[] {b.median(), b.lower(), b.upper()};
  }

  /** Series the anomaly baseline knows. */
  public List<syslens.storage.Labels> baselineSeries() {
    return List.copyOf(rule.baseline.series().keySet());
  }
}
