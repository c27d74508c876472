package syslens.alerting.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import syslens.alerting.notify.NotifyConfig.InhibitRule;
import syslens.alerting.notify.NotifyConfig.MaintenanceWindow;
import syslens.alerting.notify.NotifyConfig.Receiver;
import syslens.alerting.notify.NotifyConfig.Route;

/**
 * Reads the notification configuration from Alertmanager's YAML format (or the same structure as
 * JSON) and validates it; every error is a {@link ConfigException} naming the field path, e.g.
 * {@code route.routes[1].group_wait: "5x" (expected: a duration like 30s, 5m, 4h)}.
 */
final class ConfigParser {
  static final int MAX_BYTES = 1024 * 1024;
  static final int MAX_DEPTH = 32;
  static final Set<String> LANGUAGES = Set.of("en", "zh-CN", "ja-JP");
  private static final Pattern DURATION = Pattern.compile("((\\d+)y)?((\\d+)w)?((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?((\\d+)ms)?");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();

  private final Map<String, Receiver> receivers = new LinkedHashMap<>();
  private final Map<String, List<TimeInterval>> intervals = new LinkedHashMap<>();
  private JsonNode global;
  private int routeCount;

  private ConfigParser() {}

  /** Parses YAML or JSON text (JSON when it starts with '{'). */
  static NotifyConfig parse(String text) {
    return parse(read(text), text);
  }

  /** Validates an already read tree; {@code source} is the text kept for display (secrets masked). */
  static NotifyConfig parse(JsonNode root, String source) {
    return new ConfigParser().config(root, source);
  }

  /** Reads YAML or JSON text (JSON when it starts with '{') into a tree, within the size limit. */
  static JsonNode read(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("config", "empty (expected: YAML or JSON with at least route and receivers)");
    }
    if (text.length() > MAX_BYTES) {
      throw new ConfigException("config", text.length() + " characters (expected: <= " + MAX_BYTES + ")");
    }
    JsonNode root;
    try {
      root = (text.stripLeading().startsWith("{") ? JSON : YAML).readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException("config", "not valid " + (text.stripLeading().startsWith("{") ? "JSON" : "YAML")
          + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
          + e.getOriginalMessage());
    }
    String nul = nul(root, "");
    if (nul != null) {
      throw new ConfigException(nul.isEmpty() ? "config" : nul, "contains a NUL character (expected: text without NUL)");
    }
    return root;
  }

  /** The path of the first value or key holding NUL (which the metadata database cannot store), else null. */
  private static String nul(JsonNode n, String at) {
    if (n.isTextual()) {
      return n.asText().indexOf('\0') >= 0 ? at : null;
    }
    for (int i = 0; n.isArray() && i < n.size(); i++) {
      String f = nul(n.get(i), at + "[" + i + "]");
      if (f != null) {
        return f;
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = (at.isEmpty() ? "" : at + ".") + e.getKey().replace('\0', '?');
      String f = e.getKey().indexOf('\0') >= 0 ? name : nul(e.getValue(), name);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private NotifyConfig config(JsonNode root, String text) {
    object(root, "config");
    known(root, "", Set.of("global", "route", "receivers", "inhibit_rules", "time_intervals",
        "mute_time_intervals", "maintenance_windows", "templates"));
    global = root.path("global");
    if (!global.isMissingNode()) {
      object(global, "global");
      known(global, "global.", Set.of("resolve_timeout", "external_url", "smtp_from", "smtp_smarthost",
          "smtp_auth_username", "smtp_auth_password", "smtp_require_tls", "smtp_hello", "slack_api_url",
          "http_config"));
    }
    for (String key : List.of("time_intervals", "mute_time_intervals")) {
      JsonNode ti = root.path(key);
      for (int i = 0; i < ti.size(); i++) {
        timeInterval(ti.get(i), key + "[" + i + "]");
      }
    }
    JsonNode rs = root.path("receivers");
    if (!rs.isArray() || rs.isEmpty()) {
      throw new ConfigException("receivers", "missing or empty (expected: a list of receivers with a name)");
    }
    for (int i = 0; i < rs.size(); i++) {
      Receiver r = receiver(rs.get(i), "receivers[" + i + "]");
      if (receivers.put(r.name(), r) != null) {
        throw new ConfigException("receivers[" + i + "].name", "\"" + r.name() + "\" is defined twice (expected: unique names)");
      }
    }
    JsonNode rt = root.path("route");
    if (!rt.isObject()) {
      throw new ConfigException("route", "missing (expected: the root route with a receiver)");
    }
    Route route = route(rt, "route", null, 0);
    if (!route.matchers.isEmpty()) {
      throw new ConfigException("route.matchers", "the root route must match everything (expected: no matchers)");
    }
    List<InhibitRule> inhibit = new ArrayList<>();
    JsonNode ir = root.path("inhibit_rules");
    for (int i = 0; i < ir.size(); i++) {
      String f = "inhibit_rules[" + i + "]";
      JsonNode n = ir.get(i);
      object(n, f);
      known(n, f + ".", Set.of("source_matchers", "target_matchers", "source_match", "source_match_re",
          "target_match", "target_match_re", "equal"));
      inhibit.add(new InhibitRule(matchers(n, f, "source_"), matchers(n, f, "target_"), strings(n.path("equal"), f + ".equal")));
    }
    List<MaintenanceWindow> windows = new ArrayList<>();
    JsonNode mw = root.path("maintenance_windows");
    for (int i = 0; i < mw.size(); i++) {
      String f = "maintenance_windows[" + i + "]";
      JsonNode n = mw.get(i);
      object(n, f);
      known(n, f + ".", Set.of("name", "matchers", "time_intervals"));
      List<String> names = intervalRefs(n.path("time_intervals"), f + ".time_intervals");
      if (names.isEmpty()) {
        throw new ConfigException(f + ".time_intervals", "empty (expected: names of time_intervals)");
      }
      windows.add(new MaintenanceWindow(text(n, "name", f, null), matchers(n, f, ""), names));
    }
    String ext = str(global, "external_url", "");
    return new NotifyConfig(ext, route, Map.copyOf(receivers), List.copyOf(inhibit), Map.copyOf(intervals),
        List.copyOf(windows), text);
  }

  private void timeInterval(JsonNode n, String f) {
    object(n, f);
    known(n, f + ".", Set.of("name", "time_intervals"));
    String name = text(n, "name", f, null);
    List<TimeInterval> list = new ArrayList<>();
    JsonNode ti = n.path("time_intervals");
    for (int i = 0; i < ti.size(); i++) {
      String g = f + ".time_intervals[" + i + "]";
      JsonNode t = ti.get(i);
      object(t, g);
      known(t, g + ".", Set.of("times", "weekdays", "days_of_month", "months", "years", "location"));
      List<String[]> times = new ArrayList<>();
      for (int j = 0; j < t.path("times").size(); j++) {
        JsonNode tt = t.path("times").get(j);
        times.add(new String[] {tt.path("start_time").asText(null), tt.path("end_time").asText(null)});
      }
      list.add(new TimeInterval(TimeInterval.parseTimes(times, g + ".times"),
          TimeInterval.parseWeekdays(strings(t.path("weekdays"), g + ".weekdays"), g + ".weekdays"),
          TimeInterval.parseDaysOfMonth(strings(t.path("days_of_month"), g + ".days_of_month"), g + ".days_of_month"),
          TimeInterval.parseMonths(strings(t.path("months"), g + ".months"), g + ".months"),
          TimeInterval.parseYears(strings(t.path("years"), g + ".years"), g + ".years"),
          TimeInterval.parseLocation(t.path("location").asText(null), g + ".location")));
    }
    if (intervals.put(name, list) != null) {
      throw new ConfigException(f + ".name", "\"" + name + "\" is defined twice (expected: unique names)");
    }
  }

  private Route route(JsonNode n, String f, Route parent, int depth) {
    if (depth > MAX_DEPTH || ++routeCount > 10_000) {
      throw new ConfigException(f, "routing tree too deep or too large (expected: depth <= " + MAX_DEPTH
          + ", <= 10000 routes)");
    }
    object(n, f);
    known(n, f + ".", Set.of("receiver", "group_by", "continue", "matchers", "match", "match_re", "group_wait",
        "group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes",
        "escalate_after", "escalate_to"));
    List<Matcher> ms = matchers(n, f, "");
    String receiver = str(n, "receiver", parent == null ? null : parent.receiver);
    if (receiver == null) {
      throw new ConfigException(f + ".receiver", "missing (expected: the root route names a receiver)");
    }
    if (!receivers.containsKey(receiver)) {
      throw new ConfigException(f + ".receiver", "\"" + receiver + "\" is not defined (expected: one of "
          + receivers.keySet() + ")");
    }
    List<String> groupBy = n.has("group_by") ? strings(n.path("group_by"), f + ".group_by")
        : parent == null ? List.of() : parent.groupBy;
    boolean all = n.has("group_by") ? groupBy.contains("...") : parent != null && parent.groupByAll;
    if (all && groupBy.size() > 1) {
      throw new ConfigException(f + ".group_by", groupBy + " (expected: '...' alone, or label names)");
    }
    Duration wait = duration(n, "group_wait", f, parent == null ? Duration.ofSeconds(30) : parent.groupWait);
    Duration interval = duration(n, "group_interval", f, parent == null ? Duration.ofMinutes(5) : parent.groupInterval);
    Duration repeat = duration(n, "repeat_interval", f, parent == null ? Duration.ofHours(4) : parent.repeatInterval);
    if (interval.isZero()) {
      throw new ConfigException(f + ".group_interval", "0s (expected: > 0)");
    }
    if (repeat.isZero()) {
      throw new ConfigException(f + ".repeat_interval", "0s (expected: > 0)");
    }
    Duration escAfter = n.has("escalate_after") ? duration(n, "escalate_after", f, null)
        : parent == null ? null : parent.escalateAfter;
    String escTo = str(n, "escalate_to", parent == null ? null : parent.escalateTo);
    if ((escAfter == null) != (escTo == null)) {
      throw new ConfigException(f + (escTo == null ? ".escalate_to" : ".escalate_after"),
          "missing (expected: escalate_after and escalate_to together)");
    }
    if (escTo != null && !receivers.containsKey(escTo)) {
      throw new ConfigException(f + ".escalate_to", "\"" + escTo + "\" is not defined (expected: one of "
          + receivers.keySet() + ")");
    }
    String id = parent == null ? "{}" : parent.id + "/{" + String.join(",", ms.stream().map(Matcher::toString).toList())
        + "}/" + parent.routes.size();
    Route r = new Route(id, ms, receiver, groupBy, all, wait, interval, repeat, n.path("continue").asBoolean(false),
        intervalRefs(n.path("mute_time_intervals"), f + ".mute_time_intervals"),
        intervalRefs(n.path("active_time_intervals"), f + ".active_time_intervals"), escAfter, escTo);
    if (parent == null && r.cont) {
      throw new ConfigException(f + ".continue", "true on the root route (expected: false)");
    }
    JsonNode children = n.path("routes");
    for (int i = 0; i < children.size(); i++) {
      r.routes.add(route(children.get(i), f + ".routes[" + i + "]", r, depth + 1));
    }
    return r;
  }

  private List<String> intervalRefs(JsonNode n, String f) {
    List<String> names = strings(n, f);
    for (String s : names) {
      if (!intervals.containsKey(s)) {
        throw new ConfigException(f, "\"" + s + "\" is not defined (expected: one of time_intervals " + intervals.keySet() + ")");
      }
    }
    return names;
  }

  /** {@code <prefix>matchers} (strings) plus the deprecated {@code <prefix>match} / {@code match_re} maps. */
  private static List<Matcher> matchers(JsonNode n, String f, String prefix) {
    List<Matcher> out = new ArrayList<>();
    JsonNode ms = n.path(prefix + "matchers");
    for (int i = 0; i < ms.size(); i++) {
      String g = f + "." + prefix + "matchers[" + i + "]";
      try {
        // One entry may hold several comma-separated matchers, optionally in braces.
        for (String part : splitMatchers(ms.get(i).asText())) {
          out.add(Matcher.parse(part));
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(g, e.getMessage());
      }
    }
    for (String kind : List.of("match", "match_re")) {
      JsonNode m = n.path(prefix + kind);
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        try {
          out.add(Matcher.of(e.getKey(), kind.equals("match") ? Matcher.Type.EQ : Matcher.Type.RE, e.getValue().asText()));
        } catch (IllegalArgumentException ex) {
          throw new ConfigException(f + "." + prefix + kind + "." + e.getKey(), ex.getMessage());
        }
      }
    }
    return out;
  }

  static List<String> splitMatchers(String s) {
    String t = s.strip();
    if (t.startsWith("{") && t.endsWith("}")) {
      t = t.substring(1, t.length() - 1);
    }
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '\\' && quoted && i + 1 < t.length()) {
        cur.append(c).append(t.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString());
    }
    return out;
  }

  private Receiver receiver(JsonNode n, String f) {
    object(n, f);
    String name = text(n, "name", f, null);
    List<Integration> out = new ArrayList<>();
    Set<String> supported = Set.of("email_configs", "webhook_configs", "slack_configs", "dingtalk_configs",
        "wecom_configs", "feishu_configs", "sms_configs", "alertmanager_configs");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (k.equals("name") || k.equals("language") || k.equals("user") || k.equals("templates") || k.equals("scope")) {
        continue;
      }
      if (!supported.contains(k)) {
        throw new ConfigException(f + "." + k, "not supported (expected: name, language, user, templates, scope, or one of "
            + new java.util.TreeSet<>(supported) + ")");
      }
      JsonNode list = n.get(k);
      for (int i = 0; i < list.size(); i++) {
        out.add(Integrations.parse(k, list.get(i), f + "." + k + "[" + i + "]", global));
      }
    }
    String lang = str(n, "language", null);
    if (lang != null && !LANGUAGES.contains(lang)) {
      throw new ConfigException(f + ".language", "\"" + lang + "\" (expected: one of en, zh-CN, ja-JP)");
    }
    Map<String, String> templates = new LinkedHashMap<>();
    JsonNode t = n.path("templates");
    if (!t.isMissingNode()) {
      object(t, f + ".templates");
      known(t, f + ".templates.", Set.of("subject", "text"));
      t.fields().forEachRemaining(e -> templates.put(e.getKey(), e.getValue().asText()));
    }
    List<Matcher> scope = new ArrayList<>();
    JsonNode sc = n.path("scope");
    if (!sc.isMissingNode() && !sc.isArray()) {
      throw new ConfigException(f + ".scope", "not a list (expected: matchers such as ['group=\"web\"'])");
    }
    for (int i = 0; i < sc.size(); i++) {
      try {
        for (String part : splitMatchers(sc.get(i).asText())) {
          scope.add(Matcher.parse(part));
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(f + ".scope[" + i + "]", e.getMessage());
      }
    }
    return new Receiver(name, lang, str(n, "user", null), Map.copyOf(templates), List.copyOf(out), List.copyOf(scope));
  }

  // ---- small helpers shared with Integrations ----

  static void object(JsonNode n, String f) {
    if (n == null || !n.isObject()) {
      throw new ConfigException(f, "not an object (expected: a mapping of fields)");
    }
  }

  static void known(JsonNode n, String prefix, Set<String> fields) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!fields.contains(k)) {
        throw new ConfigException(prefix + k, "unknown field (expected one of " + new java.util.TreeSet<>(fields) + ")");
      }
    }
  }

  static String str(JsonNode n, String field, String dflt) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? dflt : v.asText();
  }

  /** The longest name (receivers, time intervals, maintenance windows). */
  static final int MAX_NAME = 256;

  static String text(JsonNode n, String field, String f, String dflt) {
    String s = str(n, field, dflt);
    if (s == null) {
      throw new ConfigException(f + "." + field, "missing (expected: a non-empty string)");
    }
    if (s.length() > MAX_NAME) {
      throw new ConfigException(f + "." + field, s.length() + " characters (expected: <= " + MAX_NAME + ")");
    }
    return s;
  }

  static List<String> strings(JsonNode n, String f) {
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (n.isTextual()) {
      return List.of(n.asText());
    }
    if (!n.isArray()) {
      throw new ConfigException(f, "not a list (expected: a list of strings)");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : n) {
      if (!e.isValueNode()) {
        throw new ConfigException(f, "contains " + e.getNodeType() + " (expected: strings)");
      }
      if (seen.add(e.asText())) {
        out.add(e.asText());
      }
    }
    return out;
  }

  static Duration duration(JsonNode n, String field, String f, Duration dflt) {
    String s = str(n, field, null);
    return s == null ? dflt : parseDuration(s, f + "." + field);
  }

  /** Prometheus durations: 30s, 5m, 1h30m, 1d, 1w, 250ms. */
  static Duration parseDuration(String s, String field) {
    java.util.regex.Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new ConfigException(field, "\"" + s + "\" (expected: a duration like 30s, 5m, 4h, 1h30m)");
    }
    long ms = 0;
    long[] unit = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
    for (int g = 0; g < unit.length; g++) {
      String v = m.group(2 + 2 * g);
      if (v != null) {
        ms += Long.parseLong(v) * unit[g];
      }
    }
    return Duration.ofMillis(ms);
  }

  static String url(JsonNode n, String field, String f, String dflt) {
    String s = str(n, field, dflt);
    if (s == null) {
      throw new ConfigException(f + "." + field, "missing (expected: an http:// or https:// URL)");
    }
    try {
      URI u = URI.create(s);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(f + "." + field, "\"" + Integration.Redact.url(s) + "\" (expected: an http:// or https:// URL)");
    }
    return s;
  }
}
