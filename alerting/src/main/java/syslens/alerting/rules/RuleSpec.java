package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One rule as written by the user (Prometheus rule file entry, or our JSON model with the
 * syslens kinds). Validated by {@link RuleFiles}; immutable.
 *
 * @param name alert name, or metric name of a recording rule
 * @param kind what builds the condition
 * @param expr the PromQL of a threshold or recording rule; for the other kinds the expression
 *     the builder generated (shown to users, see {@link Conditions})
 * @param trend parameters of a trend rule (else null)
 * @param composite parameters of a composite rule (else null)
 * @param anomaly parameters of an anomaly rule (else null)
 * @param forMs how long the condition must hold before firing
 * @param keepFiringForMs how long a firing alert keeps firing after the condition clears
 * @param level the level, emitted as label {@code severity} (null: none, as an imported
 *     Prometheus rule without a severity label)
 */
public record RuleSpec(
    String name,
    Kind kind,
    String expr,
    Trend trend,
    Composite composite,
    Anomaly anomaly,
    long forMs,
    long keepFiringForMs,
    String level,
    Map<String, String> labels,
    Map<String, String> annotations) {

  /** Rule kinds; {@code RECORD} is a recording rule. */
  public enum Kind {
    THRESHOLD, TREND, COMPOSITE, ANOMALY, RECORD;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A trend rule: {@code predict_linear(metric[window], horizon) op threshold} or
   * {@code deriv(metric[window]) op threshold}.
   */
  public record Trend(String metric, String function, long windowMs, long horizonMs, String op,
      double threshold) {}

  /** A composite rule: the conditions of other rules joined with and / or / unless. */
  public record Composite(String op, List<String> rules, List<String> on) {
    public Composite {
      rules = List.copyOf(rules);
      on = List.copyOf(on);
    }
  }

  /**
   * An anomaly rule over {@code expr}: a baseline per series and hour-of-week slot (median and
   * MAD), an alert where the value leaves median ± sensitivity × 1.4826 × MAD (at least
   * {@code minDeviation} away from the median).
   */
  public record Anomaly(String expr, double sensitivity, long trainingMs, long stepMs,
      long retrainMs, int minSamples, double minDeviation) {}

  public RuleSpec {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(expr, "expr");
    labels = Map.copyOf(requireNonNull(labels, "labels"));
    annotations = Map.copyOf(requireNonNull(annotations, "annotations"));
  }

  public boolean alerting() {
    return kind != Kind.RECORD;
  }
}
