package syslens.alerting.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A YAML (or JSON, which is YAML) document read into Jackson's tree with the line each node
 * started on, so validation errors can name the line. Scalars keep their text: YAML's
 * {@code for: 5m} and {@code value: 1e3} are both read as they were written.
 */
final class LocatedTree {
  /** Nesting deeper than this is refused (a hostile document cannot exhaust the stack). */
  static final int MAX_DEPTH = 64;
  private static final YAMLFactory YAML = YAMLFactory.builder().build();
  private static final JsonFactory JSON = new JsonFactory();

  private final Map<JsonNode, Integer> lines = new IdentityHashMap<>();
  final JsonNode root;

  private LocatedTree(String text) throws IOException {
    String t = text.stripLeading();
    JsonFactory f = t.startsWith("{") ? JSON : YAML;
    try (JsonParser p = f.createParser(text)) {
      JsonToken tok = p.nextToken();
      root = tok == null ? JsonNodeFactory.instance.nullNode() : read(p, 0);
    }
  }

  /** Parses {@code text}; IllegalArgumentException naming the line when it is not YAML. */
  static LocatedTree parse(String text) {
    try {
      return new LocatedTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      var loc = e.getLocation();
      throw new IllegalArgumentException("not valid YAML" + (loc == null ? "" : " at line "
          + loc.getLineNr()) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid YAML: " + e.getMessage());
    }
  }

  /** " (line N)" for a node read from the document, else "". */
  String at(JsonNode n) {
    Integer l = n == null ? null : lines.get(n);
    return l == null ? "" : " (line " + l + ")";
  }

  private JsonNode read(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("document nested deeper than " + MAX_DEPTH + " levels");
    }
    int line = p.currentLocation().getLineNr();
    JsonNode n;
    switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (o.has(name)) {
            throw new IllegalArgumentException("field " + name + " appears twice (line "
                + p.currentLocation().getLineNr() + ")");
          }
          p.nextToken();
          o.set(name, read(p, depth + 1));
        }
        n = o;
      }
      case START_ARRAY -> {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(read(p, depth + 1));
        }
        n = a;
      }
      case VALUE_NULL -> n = JsonNodeFactory.instance.nullNode();
      case VALUE_TRUE, VALUE_FALSE -> n = JsonNodeFactory.instance.booleanNode(p.getBooleanValue());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_STRING ->
          n = new com.fasterxml.jackson.databind.node.TextNode(p.getText());
      default -> throw new IllegalArgumentException("unexpected " + p.currentToken() + " at line "
          + line);
    }
    lines.put(n, line);
    return n;
  }
}
