package syslens.alerting.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import syslens.query.Engine;
import syslens.query.QueryException;
import syslens.query.parser.Durations;

/**
 * Reads rule groups: Prometheus rule files unchanged ({@code groups: - name, interval, rules: -
 * alert|record, expr, for, keep_firing_for, labels, annotations}) plus the syslens keys
 * {@code kind}, {@code level}, {@code trend}, {@code composite}, {@code anomaly}. The JSON model of
 * the REST API is the same document in JSON. Every error names the group, the rule, the field and
 * the line, e.g. {@code group "node" rule "DiskFull" (line 7): for: "5x" (expected: a duration
 * like 5m)}.
 */
public final class RuleFiles {
  /** Largest rule document read (bytes of text). */
  public static final int MAX_BYTES = 4 << 20;
  static final int MAX_RULES_PER_GROUP = 20_000;
  static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  static final long DEFAULT_INTERVAL_MS = 60_000;
  /**
   * Keys of a group. {@code owner} and {@code scope} are what the API shows of a group and are
   * accepted back (a client edits what it read) but ignored: the saving principal decides them.
   */
  private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "rules", "limit", "owner", "scope");
  private static final Set<String> RULE_KEYS = Set.of("alert", "record", "expr", "for",
      "keep_firing_for", "labels", "annotations", "kind", "level", "trend", "composite", "anomaly");
  private static final Set<String> TREND_FUNCTIONS = Set.of("predict_linear", "deriv");
  private static final Set<String> OPS = Set.of(">", ">=", "<", "<=", "==", "!=");

  private final LocatedTree tree;
  private final long defaultIntervalMs;

  private RuleFiles(LocatedTree tree, long defaultIntervalMs) {
    this.tree = tree;
    this.defaultIntervalMs = defaultIntervalMs;
  }

  /** Parses a rule file ({@code groups: [...]}); groups without interval get one minute. */
  public static List<GroupSpec> parseFile(String text) {
    return parseFile(text, DEFAULT_INTERVAL_MS);
  }

  /** Parses a rule file; groups without an interval get {@code defaultIntervalMs}. */
  public static List<GroupSpec> parseFile(String text, long defaultIntervalMs) {
    RuleFiles f = new RuleFiles(LocatedTree.parse(checkSize(text)), defaultIntervalMs);
    JsonNode root = f.tree.root;
    if (!root.isObject()) {
      throw new IllegalArgumentException("rule file: " + kindOf(root) + " (expected: a mapping "
          + "with key groups)");
    }
    f.onlyKeys(root, Set.of("groups"), "rule file");
    JsonNode groups = root.path("groups");
    if (!groups.isArray()) {
      throw new IllegalArgumentException("rule file: groups: " + kindOf(groups) + f.tree.at(groups)
          + " (expected: a list of groups)");
    }
    List<GroupSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode g : groups) {
      GroupSpec spec = f.group(g);
      if (!names.add(spec.name())) {
        throw new IllegalArgumentException("group \"" + spec.name() + "\"" + f.tree.at(g)
            + ": name: repeated in this file (expected: unique group names)");
      }
      out.add(spec);
    }
    return out;
  }

  /** Parses one group ({@code {"name":..., "interval":..., "rules":[...]}}) in JSON or YAML. */
  public static GroupSpec parseGroup(String text) {
    RuleFiles f = new RuleFiles(LocatedTree.parse(checkSize(text)), DEFAULT_INTERVAL_MS);
    return f.group(f.tree.root);
  }

  private static String checkSize(String text) {
    if (text.length() > MAX_BYTES) {
      throw new IllegalArgumentException("rule document: " + text.length() + " characters "
          + "(expected: <= " + MAX_BYTES + ")");
    }
    return text;
  }

  private GroupSpec group(JsonNode g) {
    if (!g.isObject()) {
      throw new IllegalArgumentException("group" + tree.at(g) + ": " + kindOf(g)
          + " (expected: a mapping with name, interval, rules)");
    }
    String name = text(g, "name", "group" + tree.at(g));
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("group" + tree.at(g) + ": name: "
          + (name == null ? "missing" : "\"" + abbrev(name) + "\"")
          + " (expected: a non-empty name of at most 200 characters)");
    }
    String where = "group \"" + name + "\"";
    onlyKeys(g, GROUP_KEYS, where);
    long interval = defaultIntervalMs;
    if (g.has("interval")) {
      interval = duration(g.get("interval"), where, "interval");
      if (interval <= 0) {
        throw new IllegalArgumentException(where + tree.at(g.get("interval"))
            + ": interval: 0 (expected: > 0)");
      }
    }
    JsonNode rules = g.path("rules");
    if (!rules.isArray()) {
      throw new IllegalArgumentException(where + tree.at(g) + ": rules: " + kindOf(rules)
          + " (expected: a list of rules)");
    }
    if (rules.size() > MAX_RULES_PER_GROUP) {
      throw new IllegalArgumentException(where + ": rules: " + rules.size()
          + " (expected: <= " + MAX_RULES_PER_GROUP + " per group)");
    }
    List<RuleSpec> out = new ArrayList<>();
    int i = 0;
    for (JsonNode r : rules) {
      out.add(rule(r, where + " rule " + (++i)));
    }
    return new GroupSpec(name, interval, out);
  }

  private RuleSpec rule(JsonNode r, String where0) {
    if (!r.isObject()) {
      throw new IllegalArgumentException(where0 + tree.at(r) + ": " + kindOf(r)
          + " (expected: a mapping with alert or record, and expr)");
    }
    String alert = text(r, "alert", where0);
    String record = text(r, "record", where0);
    if ((alert == null) == (record == null)) {
      throw new IllegalArgumentException(where0 + tree.at(r) + ": "
          + (alert == null ? "neither alert nor record" : "both alert and record")
          + " (expected: exactly one of them)");
    }
    String name = alert != null ? alert : record;
    String where = where0.replaceFirst(" rule \\d+$", "") + " rule \"" + abbrev(name) + "\"";
    onlyKeys(r, RULE_KEYS, where);
    if (name.isEmpty() || (record != null && !METRIC_NAME.matcher(name).matches())) {
      throw new IllegalArgumentException(where + ": " + (alert != null ? "alert" : "record")
          + ": \"" + abbrev(name) + "\" (expected: " + (alert != null ? "a non-empty name"
          : "a metric name like job:http_requests:rate5m") + ")");
    }
    String kindText = text(r, "kind", where);
    RuleSpec.Kind kind;
    if (record != null) {
      if (kindText != null && !kindText.equals("record")) {
        throw new IllegalArgumentException(where + ": kind: " + kindText
            + " (expected: none on a recording rule)");
      }
      kind = RuleSpec.Kind.RECORD;
    } else {
      kind = kind(kindText == null ? "threshold" : kindText, where);
    }
    Map<String, String> labels = stringMap(r.path("labels"), where, "labels");
    for (String l : labels.keySet()) {
      if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException(where + ": labels: \"" + abbrev(l)
            + "\" (expected: a label name like severity, not starting with __)");
      }
    }
    Map<String, String> annotations = stringMap(r.path("annotations"), where, "annotations");
    if (record != null && (!annotations.isEmpty() || r.has("for") || r.has("keep_firing_for")
        || r.has("level"))) {
      throw new IllegalArgumentException(where + ": for, keep_firing_for, level and annotations "
          + "apply to alerting rules only (expected: none on a recording rule)");
    }
    String level = text(r, "level", where);
    if (level != null) {
      if (level.isBlank() || level.length() > 64) {
        throw new IllegalArgumentException(where + ": level: \"" + abbrev(level)
            + "\" (expected: info, warning, critical or another name of at most 64 characters)");
      }
    } else {
      level = labels.get("severity");
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      templateCheck(e.getValue(), where, "labels." + e.getKey());
    }
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      templateCheck(e.getValue(), where, "annotations." + e.getKey());
    }
    long forMs = r.has("for") ? duration(r.get("for"), where, "for") : 0;
    long keep = r.has("keep_firing_for") ? duration(r.get("keep_firing_for"), where,
        "keep_firing_for") : 0;
    String expr = text(r, "expr", where);
    RuleSpec.Trend trend = null;
    RuleSpec.Composite composite = null;
    RuleSpec.Anomaly anomaly = null;
    switch (kind) {
      case THRESHOLD, RECORD -> {
        if (expr == null || expr.isBlank()) {
          throw new IllegalArgumentException(where + tree.at(r) + ": expr: missing (expected: a "
              + "PromQL expression)");
        }
        checkExpr(expr, where + tree.at(r.get("expr")));
        only(r, kind, where, "trend", "composite", "anomaly");
      }
      case TREND -> {
        trend = trend(r.path("trend"), where + " trend");
        expr = Conditions.trendExpr(trend);
        checkExpr(expr, where + " trend (generated " + expr + ")");
        only(r, kind, where, "expr", "composite", "anomaly");
      }
      case COMPOSITE -> {
        composite = composite(r.path("composite"), where + " composite");
        expr = "";
        only(r, kind, where, "expr", "trend", "anomaly");
      }
      case ANOMALY -> {
        anomaly = anomaly(r.path("anomaly"), where + " anomaly");
        expr = anomaly.expr();
        only(r, kind, where, "expr", "trend", "composite");
      }
      default -> throw new AssertionError(kind);
    }
    return new RuleSpec(name, kind, expr, trend, composite, anomaly, forMs, keep, level, labels,
        annotations);
  }

  private RuleSpec.Trend trend(JsonNode t, String where) {
    requireObject(t, where);
    onlyKeys(t, Set.of("metric", "function", "window", "horizon", "op", "threshold"), where);
    String metric = required(t, "metric", where, "a PromQL instant-vector selector");
    checkExpr(metric, where + " metric");
    if (!(Engine.parse(metric) instanceof syslens.query.parser.Expr.VectorSelector)) {
      throw new IllegalArgumentException(where + ": metric: " + abbrev(metric) + " (expected: a "
          + "selector like node_filesystem_avail_bytes{mountpoint=\"/\"})");
    }
    String fn = text(t, "function", where);
    fn = fn == null ? "predict_linear" : fn;
    if (!TREND_FUNCTIONS.contains(fn)) {
      throw new IllegalArgumentException(where + tree.at(t.get("function")) + ": function: " + fn
          + " (expected: predict_linear or deriv)");
    }
    long window = t.has("window") ? duration(t.get("window"), where, "window") : 3_600_000;
    long horizon = t.has("horizon") ? duration(t.get("horizon"), where, "horizon") : 0;
    if (window <= 0) {
      throw new IllegalArgumentException(where + ": window: 0 (expected: > 0)");
    }
    if (fn.equals("predict_linear") && horizon <= 0) {
      throw new IllegalArgumentException(where + ": horizon: missing or 0 (expected: a duration"
          + " > 0 like 4h for predict_linear)");
    }
    String op = text(t, "op", where);
    op = op == null ? "<" : op;
    if (!OPS.contains(op)) {
      throw new IllegalArgumentException(where + ": op: " + op + " (expected: one of " + OPS + ")");
    }
    double threshold = number(t, "threshold", where, 0);
    return new RuleSpec.Trend(metric, fn, window, horizon, op, threshold);
  }

  private RuleSpec.Composite composite(JsonNode c, String where) {
    requireObject(c, where);
    onlyKeys(c, Set.of("op", "rules", "on"), where);
    String op = required(c, "op", where, "and, or or unless").toLowerCase(Locale.ROOT);
    if (op.equals("not")) {
      op = "unless";
    }
    if (!Set.of("and", "or", "unless").contains(op)) {
      throw new IllegalArgumentException(where + ": op: " + op
          + " (expected: and, or, unless (also written not))");
    }
    List<String> rules = stringList(c.path("rules"), where, "rules");
    if (rules.size() < 2) {
      throw new IllegalArgumentException(where + ": rules: " + rules.size() + " names "
          + "(expected: at least 2 rule names)");
    }
    List<String> on = stringList(c.path("on"), where, "on");
    for (String l : on) {
      if (!LABEL_NAME.matcher(l).matches()) {
        throw new IllegalArgumentException(where + ": on: \"" + abbrev(l)
            + "\" (expected: label names)");
      }
    }
    return new RuleSpec.Composite(op, rules, on);
  }

  private RuleSpec.Anomaly anomaly(JsonNode a, String where) {
    requireObject(a, where);
    onlyKeys(a, Set.of("expr", "sensitivity", "training", "step", "retrain", "min_samples",
        "min_deviation"), where);
    String expr = required(a, "expr", where, "a PromQL expression");
    checkExpr(expr, where + " expr");
    double k = number(a, "sensitivity", where, 3);
    if (!(k > 0 && k <= 100)) {
      throw new IllegalArgumentException(where + ": sensitivity: " + k
          + " (expected: > 0 and <= 100 MADs)");
    }
    long training = a.has("training") ? duration(a.get("training"), where, "training")
        : 14L * 86_400_000;
    long step = a.has("step") ? duration(a.get("step"), where, "step") : 300_000;
    long retrain = a.has("retrain") ? duration(a.get("retrain"), where, "retrain") : 86_400_000;
    if (training <= 0 || step <= 0 || retrain <= 0 || training / step > 10_000) {
      throw new IllegalArgumentException(where + ": training " + training + "ms, step " + step
          + "ms, retrain " + retrain + "ms (expected: all > 0 and training/step <= 10000)");
    }
    double minSamples = number(a, "min_samples", where, 3);
    if (minSamples < 1 || minSamples > 10_000) {
      throw new IllegalArgumentException(where + ": min_samples: " + minSamples
          + " (expected: 1 to 10000)");
    }
    double minDev = number(a, "min_deviation", where, 0);
    if (!(minDev >= 0)) {
      throw new IllegalArgumentException(where + ": min_deviation: " + minDev
          + " (expected: >= 0)");
    }
    return new RuleSpec.Anomaly(expr, k, training, step, retrain, (int) minSamples, minDev);
  }

  private void only(JsonNode r, RuleSpec.Kind kind, String where, String... forbidden) {
    for (String f : forbidden) {
      if (r.has(f)) {
        throw new IllegalArgumentException(where + tree.at(r.get(f)) + ": " + f + ": not used by"
            + " kind " + kind.wire() + " (expected: " + switch (kind) {
              case THRESHOLD, RECORD -> "expr";
              case TREND -> "trend: {metric, function, window, horizon, op, threshold}";
              case COMPOSITE -> "composite: {op, rules, on}";
              case ANOMALY -> "anomaly: {expr, sensitivity, training, step, ...}";
            } + ")");
      }
    }
  }

  private static RuleSpec.Kind kind(String k, String where) {
    for (RuleSpec.Kind v : RuleSpec.Kind.values()) {
      if (v != RuleSpec.Kind.RECORD && v.wire().equals(k)) {
        return v;
      }
    }
    throw new IllegalArgumentException(where + ": kind: " + abbrev(k)
        + " (expected: threshold, trend, composite or anomaly)");
  }

  static void checkExpr(String expr, String where) {
    try {
      Engine.parse(expr);
    } catch (QueryException e) {
      throw new IllegalArgumentException(where + ": expr: " + e.getMessage()
          + " (expected: a valid PromQL expression)");
    }
  }

  private void templateCheck(String template, String where, String field) {
    String err = Templates.check(template);
    if (err != null) {
      throw new IllegalArgumentException(where + ": " + field + ": " + err);
    }
  }

  private void onlyKeys(JsonNode o, Set<String> allowed, String where) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException(where + tree.at(o.get(k)) + ": field " + abbrev(k)
            + " not known (expected: one of " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
  }

  private void requireObject(JsonNode n, String where) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(where + tree.at(n) + ": " + kindOf(n)
          + " (expected: a mapping)");
    }
  }

  private String text(JsonNode o, String field, String where) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(where + tree.at(v) + ": " + field + ": " + kindOf(v)
          + " (expected: a string)");
    }
    return v.asText();
  }

  private String required(JsonNode o, String field, String where, String expected) {
    String s = text(o, field, where);
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(where + tree.at(o) + ": " + field + ": missing"
          + " (expected: " + expected + ")");
    }
    return s;
  }

  private double number(JsonNode o, String field, String where, double dflt) {
    String s = text(o, field, where);
    if (s == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + tree.at(o.get(field)) + ": " + field + ": \""
          + abbrev(s) + "\" (expected: a number)");
    }
  }

  private long duration(JsonNode v, String where, String field) {
    String s = v.isTextual() ? v.asText() : null;
    long ms = s == null ? -1 : Durations.parseMillis(s);
    if (ms < 0) {
      throw new IllegalArgumentException(where + tree.at(v) + ": " + field + ": "
          + (s == null ? kindOf(v) : "\"" + abbrev(s) + "\"")
          + " (expected: a duration like 30s, 5m, 1h30m)");
    }
    return ms;
  }

  private Map<String, String> stringMap(JsonNode m, String where, String field) {
    if (m.isMissingNode() || m.isNull()) {
      return Map.of();
    }
    if (!m.isObject()) {
      throw new IllegalArgumentException(where + tree.at(m) + ": " + field + ": " + kindOf(m)
          + " (expected: a mapping of names to strings)");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isTextual()) {
        throw new IllegalArgumentException(where + tree.at(v) + ": " + field + "." + e.getKey()
            + ": " + kindOf(v) + " (expected: a string)");
      }
      out.put(e.getKey(), v.asText());
    }
    return out;
  }

  private List<String> stringList(JsonNode l, String where, String field) {
    if (l.isMissingNode() || l.isNull()) {
      return List.of();
    }
    if (!l.isArray()) {
      throw new IllegalArgumentException(where + tree.at(l) + ": " + field + ": " + kindOf(l)
          + " (expected: a list of strings)");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : l) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException(where + tree.at(e) + ": " + field + ": " + kindOf(e)
            + " element (expected: strings)");
      }
      out.add(e.asText());
    }
    return out;
  }

  private static String kindOf(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    return n.isObject() ? "a mapping" : n.isArray() ? "a list" : n.isNull() ? "null"
        : n.isBoolean() ? "a boolean" : "\"" + abbrev(n.asText()) + "\"";
  }

  static String abbrev(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
