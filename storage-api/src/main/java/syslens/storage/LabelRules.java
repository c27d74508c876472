package syslens.storage;

/**
 * Prometheus' label and metric-name rules plus SysLens' size limits; used by ingest to validate
 * what crosses the process boundary.
 */
public final class LabelRules {
  public static final int MAX_LABELS = 64;
  public static final int MAX_NAME_LENGTH = 128;
  public static final int MAX_VALUE_LENGTH = 2048;

  private LabelRules() {}

  /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, 1-{@link #MAX_NAME_LENGTH} chars. */
  public static boolean isValidMetricName(String s) {
    return matches(s, true);
  }

  /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, 1-{@link #MAX_NAME_LENGTH} chars. */
  public static boolean isValidLabelName(String s) {
    return matches(s, false);
  }

  /**
   * The name rules as a loop over the chars: every new series checks each of its names twice
   * (ingest and head), and a regex matcher per name was a third of the garbage of a burst of new
   * series (docs/benchmarks.md, vSphere cold cycle).
   */
  private static boolean matches(String s, boolean colon) {
    int n = s.length();
    if (n == 0 || n > MAX_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':')
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
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
