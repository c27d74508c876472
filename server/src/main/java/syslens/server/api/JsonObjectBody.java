package syslens.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import java.util.Map;

/**
 * A request body read as one JSON object (null when blank), or the 4xx answer saying why it is
 * not one: over {@code maxBytes}, malformed (line and column, never the text), or not an object.
 */
public record JsonObjectBody(Map<String, Object> body, HttpResponse error) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param example what a good body looks like, for the error message
   */
  public static JsonObjectBody parse(AggregatedHttpRequest agg, int maxBytes, String example) {
    // A limit set on the context is too late once a decorator waited (authentication off the
    // event loop) and the body already arrived under the server-wide limit: check it here as well.
    if (agg.content().length() > maxBytes) {
      return new JsonObjectBody(null, ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
          + agg.content().length() + " bytes (expected: <= " + maxBytes + ")"));
    }
    String text = agg.contentUtf8();
    if (text.isBlank()) {
      return new JsonObjectBody(null, null);
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        return new JsonObjectBody(null, ApiErrors.badData("body: not a JSON object (expected: " + example + ")"));
      }
      return new JsonObjectBody(JSON.convertValue(node, new TypeReference<>() {}), null);
    } catch (JsonProcessingException e) {
      return new JsonObjectBody(null, ApiErrors.badData("body: malformed JSON at line " + e.getLocation().getLineNr()
          + " column " + e.getLocation().getColumnNr() + " (expected: a JSON object)"));
    }
  }
}
