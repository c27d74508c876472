package syslens.server.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a dashboard document (schema version 1, docs/dashboard.md) and returns its normalised
 * form: only the known fields, each within its limit. A problem is a {@link Invalid} naming the
 * field by its path ({@code panels[2].queries[0]}) and what was expected. PromQL text is not
 * parsed here: a panel whose query fails shows the query API's error in the panel.
 */
final class DashboardDocs {
  static final int SCHEMA_VERSION = 1;
  static final int MAX_TITLE = 200;
  static final int MAX_DESCRIPTION = 2000;
  static final int MAX_PANELS = 50;
  static final int MAX_QUERIES = 5;
  static final int MAX_QUERY = 4096;
  static final int MAX_VARIABLES = 20;
  static final int MAX_VARIABLE_QUERY = 1024;
  static final int MAX_THRESHOLDS = 10;
  static final int MAX_SHORT = 64;
  static final int GRID_COLUMNS = 24;
  static final int MAX_GRID_Y = 1000;
  static final int MAX_GRID_H = 50;
  static final Set<String> PANEL_TYPES = Set.of("timeseries", "bar", "area", "stat", "gauge", "table", "heatmap", "pie");
  static final Set<String> UNITS = Set.of("none", "percent", "bytes", "bytes_per_second", "seconds", "ratio");
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}");
  private static final Pattern TIME = Pattern.compile("now|now-\\d{1,6}[smhdwy]|\\d{10,15}");

  /** A bad document: {@code field} is the path of what is wrong, {@code message} the whole error. */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private DashboardDocs() {}

  /** The normalised document, or {@link Invalid}. */
  static Map<String, Object> check(Map<String, Object> doc) {
    if (doc == null) {
      throw new Invalid("body: empty (expected: a dashboard JSON object with \"title\" and \"panels\")");
    }
    Object schema = doc.getOrDefault("schemaVersion", SCHEMA_VERSION);
    if (!(schema instanceof Number n) || n.doubleValue() != SCHEMA_VERSION) {
      throw new Invalid("schemaVersion: " + schema + " (expected: " + SCHEMA_VERSION + ")");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("schemaVersion", SCHEMA_VERSION);
    out.put("title", text(doc.get("title"), "title", MAX_TITLE, true));
    String description = text(doc.get("description"), "description", MAX_DESCRIPTION, false);
    if (description != null) {
      out.put("description", description);
    }
    Object time = doc.get("time");
    if (time != null) {
      Map<String, Object> t = object(time, "time");
      Map<String, Object> tn = new LinkedHashMap<>();
      for (String k : List.of("from", "to")) {
        String v = text(t.get(k), "time." + k, 32, true);
        if (!TIME.matcher(v).matches()) {
          throw new Invalid("time." + k + ": \"" + v + "\" (expected: now, now-<n><s|m|h|d|w|y> or epoch milliseconds)");
        }
        tn.put(k, v);
      }
      out.put("time", tn);
    }
    out.put("variables", variables(doc.get("variables")));
    out.put("panels", panels(doc.get("panels")));
    return out;
  }

  private static List<Object> variables(Object value) {
    List<Object> in = list(value, "variables", MAX_VARIABLES);
    List<Object> out = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < in.size(); i++) {
      String at = "variables[" + i + "]";
      Map<String, Object> v = object(in.get(i), at);
      String name = text(v.get("name"), at + ".name", 32, true);
      if (!VARIABLE_NAME.matcher(name).matches()) {
        throw new Invalid(at + ".name: \"" + name + "\" (expected: letters, digits and _, not starting with a digit)");
      }
      if (!names.add(name)) {
        throw new Invalid(at + ".name: \"" + name + "\" (expected: a name not used by another variable)");
      }
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("name", name);
      String label = text(v.get("label"), at + ".label", MAX_SHORT, false);
      if (label != null) {
        n.put("label", label);
      }
      n.put("query", text(v.get("query"), at + ".query", MAX_VARIABLE_QUERY, true));
      n.put("multi", bool(v.get("multi"), at + ".multi"));
      out.add(n);
    }
    return out;
  }

  private static List<Object> panels(Object value) {
    List<Object> in = list(value, "panels", MAX_PANELS);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      String at = "panels[" + i + "]";
      Map<String, Object> p = object(in.get(i), at);
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("id", text(p.get("id"), at + ".id", MAX_SHORT, true));
      String type = text(p.get("type"), at + ".type", MAX_SHORT, true);
      if (!PANEL_TYPES.contains(type)) {
        throw new Invalid(at + ".type: \"" + type + "\" (expected: one of " + new java.util.TreeSet<>(PANEL_TYPES) + ")");
      }
      n.put("type", type);
      String title = text(p.get("title"), at + ".title", MAX_TITLE, false);
      n.put("title", title == null ? "" : title);
      List<Object> qs = list(p.get("queries"), at + ".queries", MAX_QUERIES);
      List<Object> queries = new ArrayList<>();
      for (int q = 0; q < qs.size(); q++) {
        queries.add(text(qs.get(q), at + ".queries[" + q + "]", MAX_QUERY, true));
      }
      n.put("queries", queries);
      String unit = text(p.get("unit"), at + ".unit", MAX_SHORT, false);
      if (unit != null && !UNITS.contains(unit)) {
        throw new Invalid(at + ".unit: \"" + unit + "\" (expected: one of " + new java.util.TreeSet<>(UNITS) + ")");
      }
      n.put("unit", unit == null ? "none" : unit);
      List<Object> th = list(p.get("thresholds"), at + ".thresholds", MAX_THRESHOLDS);
      List<Object> thresholds = new ArrayList<>();
      for (int t = 0; t < th.size(); t++) {
        if (!(th.get(t) instanceof Number num) || !Double.isFinite(num.doubleValue())) {
          throw new Invalid(at + ".thresholds[" + t + "]: " + th.get(t) + " (expected: a number)");
        }
        thresholds.add(num.doubleValue());
      }
      n.put("thresholds", thresholds);
      n.put("legend", p.get("legend") == null || bool(p.get("legend"), at + ".legend"));
      n.put("gridPos", grid(p.get("gridPos"), at + ".gridPos", i));
      out.add(n);
    }
    return out;
  }

  private static Map<String, Object> grid(Object value, String at, int index) {
    Map<String, Object> g = value == null ? Map.of() : object(value, at);
    int w = integer(g.getOrDefault("w", 12), at + ".w", 1, GRID_COLUMNS);
    int x = integer(g.getOrDefault("x", (index % 2) * 12), at + ".x", 0, GRID_COLUMNS - 1);
    if (x + w > GRID_COLUMNS) {
      throw new Invalid(at + ".x: " + x + " with w " + w + " (expected: x + w <= " + GRID_COLUMNS + ")");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("x", x);
    out.put("y", integer(g.getOrDefault("y", (index / 2) * 8), at + ".y", 0, MAX_GRID_Y));
    out.put("w", w);
    out.put("h", integer(g.getOrDefault("h", 8), at + ".h", 2, MAX_GRID_H));
    return out;
  }

  static String text(Object value, String field, int max, boolean required) {
    if (value == null || (value instanceof String s && s.isBlank() && required)) {
      if (required) {
        throw new Invalid(field + ": missing (expected: a non-empty string of at most " + max + " characters)");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw new Invalid(field + ": " + kind(value) + " (expected: a string)");
    }
    if (s.length() > max) {
      throw new Invalid(field + ": " + s.length() + " characters (expected: at most " + max + ")");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\n' && c != '\t') {
        throw new Invalid(field + ": control character U+" + String.format("%04X", (int) c)
            + " at " + i + " (expected: printable text)");
      }
    }
    return s;
  }

  static boolean bool(Object value, String field) {
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw new Invalid(field + ": " + kind(value) + " (expected: true or false)");
    }
    return b;
  }

  private static int integer(Object value, String field, int min, int max) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < min || n.doubleValue() > max) {
      throw new Invalid(field + ": " + value + " (expected: a whole number from " + min + " to " + max + ")");
    }
    return n.intValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String field) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new Invalid(field + ": " + kind(value) + " (expected: a JSON object)");
    }
    return (Map<String, Object>) m;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value, String field, int max) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> l)) {
      throw new Invalid(field + ": " + kind(value) + " (expected: a JSON array)");
    }
    if (l.size() > max) {
      throw new Invalid(field + ": " + l.size() + " entries (expected: at most " + max + ")");
    }
    return (List<Object>) l;
  }

  private static String kind(Object v) {
    return v == null ? "null" : v instanceof Map ? "an object" : v instanceof List ? "an array"
        : v instanceof String ? "a string" : v instanceof Boolean ? "a boolean" : "a number";
  }
}
