package syslens.agent.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for custom commands' output (the agent carries no JSON library). Objects
 * become {@code Map<String,Object>}, arrays {@code List<Object>}, numbers {@code Double}; depth is
 * limited to 32 and input size by the caller.
 */
final class Json {

  static final int MAX_DEPTH = 32;
  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    Json j = new Json(text);
    Object v = j.value(0);
    j.blanks();
    if (j.pos != text.length()) {
      throw j.error("trailing characters");
    }
    return v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    blanks();
    if (pos >= s.length()) {
      throw error("end of input (expected: a value)");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{': {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        blanks();
        if (peek() == '}') {
          pos++;
          return m;
        }
        while (true) {
          blanks();
          String k = string();
          blanks();
          expect(':');
          m.put(k, value(depth + 1));
          blanks();
          if (peek() == ',') {
            pos++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      case '[': {
        pos++;
        List<Object> l = new ArrayList<>();
        blanks();
        if (peek() == ']') {
          pos++;
          return l;
        }
        while (true) {
          l.add(value(depth + 1));
          blanks();
          if (peek() == ',') {
            pos++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      case '"':
        return string();
      case 't':
        return word("true", Boolean.TRUE);
      case 'f':
        return word("false", Boolean.FALSE);
      case 'n':
        return word("null", null);
      default:
        int start = pos;
        while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
          pos++;
        }
        try {
          return Double.parseDouble(s.substring(start, pos));
        } catch (NumberFormatException e) {
          pos = start;
          throw error("'" + c + "' (expected: a JSON value)");
        }
    }
  }

  private Object word(String w, Object v) {
    if (!s.startsWith(w, pos)) {
      throw error("(expected: " + w + ")");
    }
    pos += w.length();
    return v;
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\' && pos < s.length()) {
        char e = s.charAt(pos++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("short \\u escape");
            }
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    throw error("end of input inside a string (expected: '\"')");
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + (pos < s.length() ? s.charAt(pos) : "end of input") + "' (expected: '" + c + "')");
    }
    pos++;
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void blanks() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("JSON at offset " + pos + ": " + what);
  }
}
