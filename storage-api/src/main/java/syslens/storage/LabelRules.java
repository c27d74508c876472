package syslens.storage;

import java.util.regex.Pattern;

/**
 * Prometheus' label and metric-name rules plus SysLens' size limits; used by ingest to validate
 * what crosses the process boundary.
 */
public final class LabelRules {
  public static final int MAX_LABELS = 64;
  public static final int MAX_NAME_LENGTH = 128;
  public static final int MAX_VALUE_LENGTH = 2048;

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private LabelRules() {}

  public static boolean isValidMetricName(String s) {
    return !s.isEmpty() && s.length() <= MAX_NAME_LENGTH && METRIC_NAME.matcher(s).matches();
  }

  public static boolean isValidLabelName(String s) {
    return !s.isEmpty() && s.length() <= MAX_NAME_LENGTH && LABEL_NAME.matcher(s).matches();
  }

  /**
   * Checks a series' labels; returns null when valid, else a message naming what is wrong and
   * what was expected.
   */
  public static String validate(Labels labels) {
    if (labels.size() > MAX_LABELS) {
      return "labels: " + labels.size() + " (expected: <= " + MAX_LABELS + ")";
    }
    String name = labels.metricName();
    if (!isValidMetricName(name)) {
      return "metric name: \"" + abbreviate(name) + "\" (expected: [a-zA-Z_:][a-zA-Z0-9_:]*, 1-"
          + MAX_NAME_LENGTH + " chars)";
    }
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.name(i);
      if (!n.equals(Labels.METRIC_NAME) && !isValidLabelName(n)) {
        return "label name: \"" + abbreviate(n) + "\" (expected: [a-zA-Z_][a-zA-Z0-9_]*, 1-"
            + MAX_NAME_LENGTH + " chars)";
      }
      if (labels.value(i).length() > MAX_VALUE_LENGTH) {
        return "label " + n + ": value of " + labels.value(i).length() + " chars (expected: <= "
            + MAX_VALUE_LENGTH + ")";
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
