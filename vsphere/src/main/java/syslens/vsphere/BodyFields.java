package syslens.vsphere;

import java.util.List;
import java.util.Map;

/** Typed fields of a parsed JSON request body, with errors naming the field and what was expected. */
public final class BodyFields {
  private BodyFields() {}

  /** The body itself, refusing none and unknown fields (naming the known ones). */
  public static Map<String, Object> requireObject(Map<String, Object> body, java.util.Set<String> fields) {
    if (body == null) {
      throw new IllegalArgumentException("body: none (expected: a JSON object)");
    }
    for (String k : body.keySet()) {
      if (!fields.contains(k)) {
        throw new IllegalArgumentException("field '" + k + "' is unknown (expected: one of " + new java.util.TreeSet<>(fields) + ")");
      }
    }
    return body;
  }

  /** A request path below an API prefix ("" or "/a/b", a trailing slash ignored) as its segments. */
  public static String[] segments(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.isEmpty() ? new String[0] : p.substring(1).split("/", -1);
  }

  /** A string of at most 2,048 characters, or {@code dflt} when absent. */
  public static String str(Map<String, Object> b, String k, String dflt) {
    Object v = b.get(k);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(k + ": " + typeOf(v) + " (expected: a string)");
    }
    if (s.length() > 2048) {
      throw new IllegalArgumentException(k + ": " + s.length() + " characters (expected: <= 2048)");
    }
    return s;
  }

  public static long num(Map<String, Object> b, String k, long dflt) {
    Object v = b.get(k);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new IllegalArgumentException(k + ": " + typeOf(v) + " (expected: an integer)");
    }
    return ((Number) v).longValue();
  }

  public static boolean bool(Map<String, Object> b, String k, boolean dflt) {
    Object v = b.get(k);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean x)) {
      throw new IllegalArgumentException(k + ": " + typeOf(v) + " (expected: true or false)");
    }
    return x;
  }

  public static String typeOf(Object v) {
    return v instanceof String ? "a string" : v instanceof Number ? "a number " + v
        : v instanceof Boolean ? "a boolean" : v instanceof Map ? "an object" : v instanceof List ? "an array" : "null";
  }
}
