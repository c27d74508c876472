package syslens.alerting.notify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The secret fields of the notification configuration and their masking, as Alertmanager shows
 * them: every read returns the literal {@value #MASK}, and a {@value #MASK} sent back keeps the
 * value stored for the same field. Secret fields: {@code global.smtp_auth_password},
 * {@code global.slack_api_url}, {@code global.http_config.bearer_token} / {@code basic_auth.password};
 * e-mail {@code auth_password}; webhook {@code url}, {@code http_config.bearer_token},
 * {@code http_config.basic_auth.password}; chat robots' {@code url} / {@code api_url} (their tokens
 * live there) and signing {@code secret}; SMS gateway {@code url} and every {@code headers} value.
 *
 * <p>A field is identified by a stable key naming the receiver by name, not by position (e.g.
 * {@code receivers/ops/email_configs/0/auth_password}), so reordering receivers keeps their
 * secrets. The masked text keeps the author's YAML (comments, layout) with only the secret
 * values replaced; JSON is re-written.
 */
final class ConfigSecrets {
  static final String MASK = "<secret>";
  /** Prefix of secrets stored without a cipher (embedded use and tests; the server always seals). */
  static final String UNSEALED = "unsealed:";
  private static final YAMLFactory YAML_FACTORY = new YAMLFactory();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> CHATS = Set.of("slack_configs", "dingtalk_configs", "wecom_configs",
      "feishu_configs");

  private ConfigSecrets() {}

  /** One secret field of a tree: stable key, path for messages, position, and where it sits. */
  private record Slot(String key, String field, JsonPointer pointer, ObjectNode parent, String name) {}

  /**
   * A configuration split into what may be shown and stored in the clear ({@code masked}) and
   * its secrets by key; {@code tree} holds the real values, for validation and delivery.
   */
  record Split(JsonNode tree, String masked, Map<String, String> secrets) {}

  /**
   * Splits {@code text}: each secret field's value goes to the secrets map and is masked in the
   * text; a field holding {@value #MASK} takes its value from {@code stored} (the values of the
   * configuration it replaces), and is refused when there is none. Throws {@link ConfigException}.
   */
  static Split split(String text, Map<String, String> stored) {
    JsonNode root = ConfigParser.read(text);
    List<Slot> slots = slots(root);
    Map<String, String> secrets = new TreeMap<>();
    Map<String, JsonPointer> masked = new LinkedHashMap<>();
    for (Slot s : slots) {
      JsonNode v = s.parent().get(s.name());
      if (v == null || v.isNull() || !v.isValueNode()) {
        continue;
      }
      String value = v.asText();
      if (value.equals(MASK)) {
        value = stored.get(s.key());
        if (value == null) {
          throw new ConfigException(s.field(), MASK + " but no value is stored for this field (expected: the secret "
              + "itself; " + MASK + " keeps the stored value of the same receiver and field)");
        }
      }
      s.parent().put(s.name(), value);
      secrets.put(s.key(), value);
      masked.put(s.pointer().toString(), s.pointer());
    }
    if (masked.isEmpty()) {
      return new Split(root, text, Map.of());
    }
    return new Split(root, maskedText(text, root, masked), Map.copyOf(secrets));
  }

  /** The keys whose values differ between two secret maps (added, removed or changed). */
  static List<String> changedKeys(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    for (String k : new TreeMap<>(before).keySet()) {
      if (!before.get(k).equals(after.get(k))) {
        out.add(k);
      }
    }
    for (String k : new TreeMap<>(after).keySet()) {
      if (!before.containsKey(k)) {
        out.add(k);
      }
    }
    return out;
  }

  private static String maskedText(String text, JsonNode root, Map<String, JsonPointer> secret) {
    JsonNode copy = root.deepCopy();
    for (JsonPointer p : secret.values()) {
      ((ObjectNode) copy.at(p.head())).put(p.last().getMatchingProperty(), MASK);
    }
    try {
      if (text.stripLeading().startsWith("{")) {
        return NotifyStore.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(copy);
      }
      String inPlace = maskYamlInPlace(text, secret.keySet());
      return inPlace != null ? inPlace : YAML.writeValueAsString(copy);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing the masked notification config", e);
    }
  }

  /**
   * Replaces the secret scalars of YAML {@code text} by {@code "<secret>"} where they stand, so
   * comments and layout stay; null when a secret is written in a way this cannot replace safely
   * (anchors, aliases, tags, block scalars), and the caller re-writes the whole text instead.
   */
  private static String maskYamlInPlace(String text, Set<String> secret) {
    List<int[]> ranges = new ArrayList<>();
    try (JsonParser p = YAML_FACTORY.createParser(text)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        if (!t.isScalarValue() || !secret.contains(p.getParsingContext().pathAsPointer().toString())) {
          continue;
        }
        int start = (int) p.currentTokenLocation().getCharOffset();
        int end = (int) p.currentLocation().getCharOffset();
        if (start < 0 || end <= start || end > text.length()) {
          return null;
        }
        String raw = text.substring(start, end);
        char c = raw.charAt(0);
        if (c == '&' || c == '*' || c == '!' || c == '|' || c == '>' || raw.indexOf('\n') >= 0) {
          return null;
        }
        ranges.add(new int[] {start, end});
      }
    } catch (IOException e) {
      return null;
    }
    if (ranges.size() != secret.size()) {
      return null; // a duplicate key or a value the stream saw differently from the tree
    }
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
    for (int[] r : ranges) {
      out.append(text, at, r[0]).append('"').append(MASK).append('"');
      at = r[1];
    }
    return out.append(text, at, text.length()).toString();
  }

  /** Every secret field present in {@code root} (a tree that may still be invalid). */
  private static List<Slot> slots(JsonNode root) {
    List<Slot> out = new ArrayList<>();
    if (!(root instanceof ObjectNode)) {
      return out;
    }
    JsonPointer top = JsonPointer.empty();
    JsonNode global = root.path("global");
    if (global instanceof ObjectNode g) {
      JsonPointer gp = top.appendProperty("global");
      for (String f : List.of("smtp_auth_password", "slack_api_url")) {
        add(out, g, f, "global/" + f, "global." + f, gp);
      }
      http(out, g, "global", "global", gp);
    }
    JsonNode receivers = root.path("receivers");
    for (int i = 0; i < receivers.size(); i++) {
      JsonNode r = receivers.get(i);
      if (!(r instanceof ObjectNode)) {
        continue;
      }
      String name = r.path("name").asText("");
      JsonPointer rp = top.appendProperty("receivers").appendIndex(i);
      for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
        String kind = it.next();
        JsonNode list = r.get(kind);
        for (int j = 0; j < list.size(); j++) {
          if (!(list.get(j) instanceof ObjectNode n)) {
            continue;
          }
          String key = "receivers/" + escape(name) + "/" + kind + "/" + j;
          String field = "receivers[" + i + "]." + kind + "[" + j + "]";
          JsonPointer np = rp.appendProperty(kind).appendIndex(j);
          switch (kind) {
            case "email_configs" -> add(out, n, "auth_password", key + "/auth_password", field + ".auth_password", np);
            case "webhook_configs" -> {
              add(out, n, "url", key + "/url", field + ".url", np);
              http(out, n, key, field, np);
            }
            case "sms_configs" -> {
              add(out, n, "url", key + "/url", field + ".url", np);
              if (n.path("headers") instanceof ObjectNode h) {
                JsonPointer hp = np.appendProperty("headers");
                for (Iterator<String> hs = h.fieldNames(); hs.hasNext(); ) {
                  String header = hs.next();
                  add(out, h, header, key + "/headers/" + escape(header), field + ".headers." + header, hp);
                }
              }
            }
            default -> {
              if (CHATS.contains(kind)) {
                for (String f : List.of("url", "api_url", "secret")) {
                  add(out, n, f, key + "/" + f, field + "." + f, np);
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static void http(List<Slot> out, ObjectNode n, String key, String field, JsonPointer at) {
    if (n.path("http_config") instanceof ObjectNode h) {
      JsonPointer hp = at.appendProperty("http_config");
      add(out, h, "bearer_token", key + "/http_config/bearer_token", field + ".http_config.bearer_token", hp);
      if (h.path("basic_auth") instanceof ObjectNode b) {
        add(out, b, "password", key + "/http_config/basic_auth/password", field + ".http_config.basic_auth.password",
            hp.appendProperty("basic_auth"));
      }
    }
  }

  private static void add(List<Slot> out, ObjectNode parent, String name, String key, String field, JsonPointer at) {
    if (parent.has(name)) {
      out.add(new Slot(key, field, at.appendProperty(name), parent, name));
    }
  }

  private static String escape(String s) {
    return s.replace("~", "~0").replace("/", "~1");
  }

  /** The secret values as stored: sealed with {@code cipher}, or marked unsealed when there is none. */
  static String seal(Map<String, String> values, SecretCipher cipher) {
    String json = NotifyStore.json(new TreeMap<>(values));
    return cipher == null ? UNSEALED + json : cipher.seal(json);
  }

  /** Stored secret values opened; throws {@link IllegalArgumentException} when they cannot be. */
  static Map<String, String> open(String stored, SecretCipher cipher) {
    String json;
    if (stored.startsWith(UNSEALED)) {
      json = stored.substring(UNSEALED.length());
    } else if (cipher == null) {
      throw new IllegalArgumentException("they are sealed but no master key is configured");
    } else {
      json = cipher.open(stored);
    }
    try {
      return Map.copyOf(NotifyStore.JSON.readValue(json, new TypeReference<Map<String, String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("opened secrets are not a JSON object of strings");
    }
  }
}
