package syslens.alerting.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes groups in the JSON model {@link RuleFiles} reads (the Prometheus rule-file keys plus
 * the syslens ones), so what the API returns can be sent back unchanged.
 */
public final class RuleJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long[] UNITS = {7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
  private static final String[] NAMES = {"w", "d", "h", "m", "s", "ms"};

  private RuleJson() {}

  /** {@code 5400000} as {@code 1h30m}, {@code 0} as {@code 0s}. */
  public static String duration(long ms) {
    if (ms == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long rest = ms;
    for (int i = 0; i < UNITS.length; i++) {
      if (rest >= UNITS[i]) {
        b.append(rest / UNITS[i]).append(NAMES[i]);
        rest %= UNITS[i];
      }
    }
    return b.toString();
  }

  public static Map<String, Object> group(GroupSpec g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", g.name());
    m.put("interval", duration(g.intervalMs()));
    m.put("rules", g.rules().stream().map(RuleJson::rule).toList());
    return m;
  }

  public static String groupText(GroupSpec g) {
    try {
      return JSON.writeValueAsString(group(g));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Map<String, Object> rule(RuleSpec r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(r.alerting() ? "alert" : "record", r.name());
    if (r.alerting()) {
      m.put("kind", r.kind().wire());
    }
    switch (r.kind()) {
      case THRESHOLD, RECORD -> m.put("expr", r.expr());
      case TREND -> {
        RuleSpec.Trend t = r.trend();
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("metric", t.metric());
        tm.put("function", t.function());
        tm.put("window", duration(t.windowMs()));
        if (t.function().equals("predict_linear")) {
          tm.put("horizon", duration(t.horizonMs()));
        }
        tm.put("op", t.op());
        tm.put("threshold", Double.toString(t.threshold()));
        m.put("trend", tm);
      }
      case COMPOSITE -> {
        RuleSpec.Composite c = r.composite();
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("op", c.op());
        cm.put("rules", c.rules());
        if (!c.on().isEmpty()) {
          cm.put("on", c.on());
        }
        m.put("composite", cm);
      }
      case ANOMALY -> {
        RuleSpec.Anomaly a = r.anomaly();
        Map<String, Object> am = new LinkedHashMap<>();
        am.put("expr", a.expr());
        am.put("sensitivity", Double.toString(a.sensitivity()));
        am.put("training", duration(a.trainingMs()));
        am.put("step", duration(a.stepMs()));
        am.put("retrain", duration(a.retrainMs()));
        am.put("min_samples", Integer.toString(a.minSamples()));
        am.put("min_deviation", Double.toString(a.minDeviation()));
        m.put("anomaly", am);
      }
      default -> throw new AssertionError(r.kind());
    }
    if (r.alerting()) {
      m.put("for", duration(r.forMs()));
      if (r.keepFiringForMs() > 0) {
        m.put("keep_firing_for", duration(r.keepFiringForMs()));
      }
      if (r.level() != null && !r.level().equals(r.labels().get("severity"))) {
        m.put("level", r.level());
      }
    }
    if (!r.labels().isEmpty()) {
      m.put("labels", new LinkedHashMap<>(r.labels()));
    }
    if (!r.annotations().isEmpty()) {
      m.put("annotations", new LinkedHashMap<>(r.annotations()));
    }
    return m;
  }

  static List<Map<String, Object>> groups(List<GroupSpec> gs) {
    return gs.stream().map(RuleJson::group).toList();
  }
}
