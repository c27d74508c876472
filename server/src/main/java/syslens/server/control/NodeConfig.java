package syslens.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import syslens.agent.v1.ConfigUpdate;
import syslens.agent.v1.CustomCommand;
import syslens.agent.v1.ScrapeTarget;
import syslens.storage.LabelRules;

/**
 * The configuration of a group or a node: every field optional (null: inherited from the group,
 * then from the server's defaults). {@link #parse} validates everything before anything is stored
 * or sent, and names the bad field in its error.
 */
public record NodeConfig(Long intervalMs, Map<String, Boolean> collectors, List<Target> scrapeTargets,
    List<Command> customCommands, Integer maxSeries) {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long MIN_INTERVAL_MS = 1_000;
  static final long MAX_INTERVAL_MS = 3_600_000;
  static final int MAX_COLLECTORS = 128;
  static final int MAX_TARGETS = 64;
  static final int MAX_COMMANDS = 32;
  static final int MAX_ARGS = 64;
  static final int MAX_ARG_LENGTH = 4096;
  static final int MAX_URL_LENGTH = 2048;
  static final long MAX_COMMAND_TIMEOUT_MS = 600_000;
  static final int MAX_SERIES = 100_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Set<String> FIELDS = Set.of("interval", "collectors", "scrapeTargets", "customCommands", "limits");

  /** A local /metrics endpoint to scrape. */
  public record Target(String url, Map<String, String> labels) {}

  /** A command the agent runs every interval (and on demand, by name). */
  public record Command(String name, List<String> command, long timeoutMs, String format) {}

  public static final NodeConfig EMPTY = new NodeConfig(null, null, null, null, null);

  /** Parses and validates a configuration body; IllegalArgumentException names the bad field. */
  public static NodeConfig parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("body: not a JSON object (expected: {\"interval\": \"30s\", ...})");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException(abbreviate(f) + ": unknown field (expected: one of " + new TreeMap<>(
            Map.of("interval", 1, "collectors", 1, "scrapeTargets", 1, "customCommands", 1, "limits", 1)).keySet() + ")");
      }
    }
    Long interval = null;
    JsonNode iv = body.get("interval");
    if (iv != null && !iv.isNull()) {
      interval = duration("interval", iv);
      if (interval < MIN_INTERVAL_MS || interval > MAX_INTERVAL_MS) {
        throw new IllegalArgumentException("interval: " + iv.asText() + " (expected: 1s..1h)");
      }
    }
    return new NodeConfig(interval, collectors(body.get("collectors")), targets(body.get("scrapeTargets")),
        commands(body.get("customCommands")), limits(body.get("limits")));
  }

  private static Map<String, Boolean> collectors(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject() || n.size() > MAX_COLLECTORS) {
      throw new IllegalArgumentException("collectors: (expected: an object of at most " + MAX_COLLECTORS
          + " collector names to true or false)");
    }
    Map<String, Boolean> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("collectors." + abbreviate(e.getKey())
            + ": bad name (expected: 1-64 chars of [A-Za-z0-9_.-])");
      }
      if (!e.getValue().isBoolean()) {
        throw new IllegalArgumentException("collectors." + e.getKey() + ": " + e.getValue().getNodeType()
            + " (expected: true or false)");
      }
      out.put(e.getKey(), e.getValue().asBoolean());
    }
    return out;
  }

  private static List<Target> targets(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray() || n.size() > MAX_TARGETS) {
      throw new IllegalArgumentException("scrapeTargets: (expected: an array of at most " + MAX_TARGETS + " targets)");
    }
    List<Target> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      String field = "scrapeTargets[" + i + "]";
      JsonNode t = object(field, n.get(i), Set.of("url", "labels"));
      String url = text(field + ".url", t.get("url"), MAX_URL_LENGTH);
      try {
        URI u = new URI(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
          throw new URISyntaxException(url, "not http(s) with a host");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(field + ".url: " + abbreviate(url)
            + " (expected: an http:// or https:// URL with a host)");
      }
      Map<String, String> labels = new TreeMap<>();
      JsonNode ls = t.get("labels");
      if (ls != null && !ls.isNull()) {
        if (!ls.isObject() || ls.size() > 32) {
          throw new IllegalArgumentException(field + ".labels: (expected: an object of at most 32 labels)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ls.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!LabelRules.isValidLabelName(e.getKey()) || e.getKey().startsWith("__")) {
            throw new IllegalArgumentException(field + ".labels." + abbreviate(e.getKey())
                + ": bad label name (expected: [a-zA-Z_][a-zA-Z0-9_]* not starting with __)");
          }
          labels.put(e.getKey(), text(field + ".labels." + e.getKey(), e.getValue(), LabelRules.MAX_VALUE_LENGTH));
        }
      }
      out.add(new Target(url, labels));
    }
    return out;
  }

  private static List<Command> commands(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray() || n.size() > MAX_COMMANDS) {
      throw new IllegalArgumentException("customCommands: (expected: an array of at most " + MAX_COMMANDS
          + " commands)");
    }
    List<Command> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < n.size(); i++) {
      String field = "customCommands[" + i + "]";
      JsonNode c = object(field, n.get(i), Set.of("name", "command", "timeout", "format"));
      String name = text(field + ".name", c.get("name"), 64);
      if (!NAME.matcher(name).matches() || !names.add(name)) {
        throw new IllegalArgumentException(field + ".name: " + abbreviate(name)
            + " (expected: a unique name of 1-64 chars of [A-Za-z0-9_.-])");
      }
      JsonNode argv = c.get("command");
      if (argv == null || !argv.isArray() || argv.isEmpty() || argv.size() > MAX_ARGS) {
        throw new IllegalArgumentException(field + ".command: (expected: an array of 1-" + MAX_ARGS
            + " strings, the program first; no shell is involved)");
      }
      List<String> args = new ArrayList<>();
      for (int a = 0; a < argv.size(); a++) {
        args.add(text(field + ".command[" + a + "]", argv.get(a), MAX_ARG_LENGTH));
      }
      if (args.get(0).isEmpty()) {
        throw new IllegalArgumentException(field + ".command[0]: empty (expected: the program to run)");
      }
      long timeout = 30_000;
      JsonNode to = c.get("timeout");
      if (to != null && !to.isNull()) {
        timeout = duration(field + ".timeout", to);
        if (timeout < 1000 || timeout > MAX_COMMAND_TIMEOUT_MS) {
          throw new IllegalArgumentException(field + ".timeout: " + to.asText() + " (expected: 1s..10m)");
        }
      }
      String format = "prometheus";
      JsonNode fm = c.get("format");
      if (fm != null && !fm.isNull()) {
        format = text(field + ".format", fm, 16);
        if (!format.equals("prometheus") && !format.equals("json")) {
          throw new IllegalArgumentException(field + ".format: " + abbreviate(format)
              + " (expected: prometheus or json)");
        }
      }
      out.add(new Command(name, List.copyOf(args), timeout, format));
    }
    return out;
  }

  private static Integer limits(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    JsonNode l = object("limits", n, Set.of("maxSeries"));
    JsonNode ms = l.get("maxSeries");
    if (ms == null || ms.isNull()) {
      return null;
    }
    if (!ms.isInt() || ms.asInt() < 1 || ms.asInt() > MAX_SERIES) {
      throw new IllegalArgumentException("limits.maxSeries: " + ms + " (expected: an integer 1.." + MAX_SERIES + ")");
    }
    return ms.asInt();
  }

  private static JsonNode object(String field, JsonNode n, Set<String> allowed) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(field + ": " + (n == null ? "missing" : n.getNodeType())
          + " (expected: an object with " + new TreeMap<>(toMap(allowed)).keySet() + ")");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(field + "." + abbreviate(f) + ": unknown field (expected: one of "
            + new TreeMap<>(toMap(allowed)).keySet() + ")");
      }
    }
    return n;
  }

  private static Map<String, Integer> toMap(Set<String> s) {
    Map<String, Integer> m = new TreeMap<>();
    s.forEach(k -> m.put(k, 1));
    return m;
  }

  private static String text(String field, JsonNode n, int max) {
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException(field + ": missing (expected: a string)");
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(field + ": " + n.getNodeType() + " (expected: a string)");
    }
    if (n.asText().length() > max) {
      throw new IllegalArgumentException(field + ": " + n.asText().length() + " chars (expected: <= " + max + ")");
    }
    return n.asText();
  }

  private static long duration(String field, JsonNode n) {
    Matcher m = DURATION.matcher(n.isTextual() ? n.asText() : "");
    if (!m.matches()) {
      throw new IllegalArgumentException(field + ": " + abbreviate(n.toString())
          + " (expected: a duration such as \"30s\", \"500ms\", \"5m\")");
    }
    long v = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> v;
      case "s" -> v * 1000;
      case "m" -> v * 60_000;
      default -> v * 3_600_000;
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  /** This configuration over {@code base}: this one's fields where set, collectors merged by name. */
  public NodeConfig over(NodeConfig base) {
    Map<String, Boolean> cs = base.collectors;
    if (collectors != null) {
      cs = new TreeMap<>(base.collectors == null ? Map.of() : base.collectors);
      cs.putAll(collectors);
    }
    return new NodeConfig(intervalMs != null ? intervalMs : base.intervalMs, cs,
        scrapeTargets != null ? scrapeTargets : base.scrapeTargets,
        customCommands != null ? customCommands : base.customCommands,
        maxSeries != null ? maxSeries : base.maxSeries);
  }

  /** The JSON form {@link #parse} reads. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    if (intervalMs != null) {
      o.put("interval", intervalMs % 1000 == 0 ? intervalMs / 1000 + "s" : intervalMs + "ms");
    }
    if (collectors != null) {
      ObjectNode c = o.putObject("collectors");
      collectors.forEach(c::put);
    }
    if (scrapeTargets != null) {
      ArrayNode a = o.putArray("scrapeTargets");
      for (Target t : scrapeTargets) {
        ObjectNode tn = a.addObject().put("url", t.url());
        ObjectNode ln = tn.putObject("labels");
        t.labels().forEach(ln::put);
      }
    }
    if (customCommands != null) {
      ArrayNode a = o.putArray("customCommands");
      for (Command c : customCommands) {
        ObjectNode cn = a.addObject().put("name", c.name());
        c.command().forEach(cn.putArray("command")::add);
        cn.put("timeout", c.timeoutMs() % 1000 == 0 ? c.timeoutMs() / 1000 + "s" : c.timeoutMs() + "ms");
        cn.put("format", c.format());
      }
    }
    if (maxSeries != null) {
      o.putObject("limits").put("maxSeries", maxSeries);
    }
    return o;
  }

  /** The message the agent gets: the whole effective configuration and its version. */
  public ConfigUpdate toProto(long version, long defaultIntervalMs) {
    ConfigUpdate.Builder b = ConfigUpdate.newBuilder().setVersion(version)
        .setCollectIntervalMs(intervalMs != null ? intervalMs : defaultIntervalMs);
    if (collectors != null) {
      collectors.forEach((name, on) -> {
        if (!on) {
          b.addDisabledCollectors(name);
        }
      });
    }
    if (scrapeTargets != null) {
      for (Target t : scrapeTargets) {
        b.addScrapeTargets(ScrapeTarget.newBuilder().setUrl(t.url()).putAllLabels(t.labels()));
      }
    }
    if (customCommands != null) {
      for (Command c : customCommands) {
        b.addCustomCommands(CustomCommand.newBuilder().setName(c.name()).addAllArgv(c.command())
            .setTimeoutMs(c.timeoutMs()).setFormat(c.format()));
      }
    }
    if (maxSeries != null) {
      b.setMaxSeries(maxSeries);
    }
    return b.build();
  }
}
