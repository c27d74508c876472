package syslens.server.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a live client asked to receive: every node it may see ({@link #ALL}, the default) or only
 * the listed ones. A page that shows a few rows of a 10,000-node fleet subscribes to those rows
 * and is spared the other nodes' thousand samples a second.
 *
 * <p>Sent by the client as one text frame: {@code {"type":"subscribe","nodes":["id",...]}} or
 * {@code {"type":"subscribe","nodes":"all"}}; at most {@link #MAX_NODES} ids of at most
 * {@link #MAX_ID_LENGTH} characters. At connect, {@code ?subscribe=none} starts with no node
 * (and an empty snapshot) instead of all of them.
 */
final class LiveSubscription {
  static final int MAX_NODES = 1000;
  static final int MAX_ID_LENGTH = 256;
  /** Every node the client may see. */
  static final LiveSubscription ALL = new LiveSubscription(null);
  static final LiveSubscription NONE = new LiveSubscription(Set.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Null for all nodes. */
  private final Set<String> nodes;

  private LiveSubscription(Set<String> nodes) {
    this.nodes = nodes;
  }

  boolean all() {
    return nodes == null;
  }

  /** The subscribed ids in the order given (empty for {@link #ALL}: ask {@link #all()} first). */
  Set<String> nodes() {
    return nodes == null ? Set.of() : nodes;
  }

  boolean includes(String nodeId) {
    return nodes == null || nodes.contains(nodeId);
  }

  /** The {@code subscribe} query parameter of the connect request (absent: all nodes). */
  static LiveSubscription atConnect(String param) {
    if (param == null || param.equals("all")) {
      return ALL;
    }
    if (param.equals("none")) {
      return NONE;
    }
    throw new IllegalArgumentException("subscribe: " + shorten(param) + " (expected: none or all)");
  }

  /** Parses a client's text frame; the message names what was wrong and what was expected. */
  static LiveSubscription parse(String text) {
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("message: not JSON (expected: {\"type\":\"subscribe\",\"nodes\":[node ids] or \"all\"})");
    }
    if (m == null || !m.isObject() || !"subscribe".equals(m.path("type").asText(null))) {
      throw new IllegalArgumentException("type: " + (m != null && m.isObject() ? shorten(String.valueOf(m.get("type"))) : "none")
          + " (expected: \"subscribe\")");
    }
    JsonNode ids = m.get("nodes");
    if (ids != null && ids.isTextual() && ids.asText().equals("all")) {
      return ALL;
    }
    if (ids == null || !ids.isArray()) {
      throw new IllegalArgumentException("nodes: " + (ids == null ? "missing" : shorten(ids.toString()))
          + " (expected: an array of node ids or \"all\")");
    }
    if (ids.size() > MAX_NODES) {
      throw new IllegalArgumentException("nodes: " + ids.size() + " ids (expected: at most " + MAX_NODES + ")");
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode id : ids) {
      if (!id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_ID_LENGTH) {
        throw new IllegalArgumentException("nodes: " + shorten(id.toString()) + " (expected: node ids of 1 to "
            + MAX_ID_LENGTH + " characters)");
      }
      out.add(id.asText());
    }
    return new LiveSubscription(Collections.unmodifiableSet(out));
  }

  private static String shorten(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
