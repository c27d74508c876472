package syslens.agent.collect;

import java.util.ArrayList;
import java.util.List;

/**
 * Parser of the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text: samples with
 * their labels (timestamps, exemplars, HELP/TYPE/UNIT lines are dropped: the agent stamps every
 * sample with its round's time). Bounded: at most {@code maxSeries} samples, 64 labels per
 * sample, names of 256 and values of 4,096 characters; a malformed line fails the whole parse
 * with its line number, so a half-read exposition never passes as a complete one.
 */
final class PromText {

  static final int MAX_LABELS = 64;
  static final int MAX_NAME = 256;
  static final int MAX_VALUE = 4096;

  private final String text;
  private int pos;
  private int line = 1;

  private PromText(String text) {
    this.text = text;
  }

  /** Parses {@code text}; IllegalArgumentException names the line and what was expected. */
  static List<Metric> parse(String text, int maxSeries) {
    return new PromText(text).samples(maxSeries);
  }

  private List<Metric> samples(int maxSeries) {
    List<Metric> out = new ArrayList<>();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        continue;
      }
      if (c == '#') {
        if (text.startsWith("# EOF", pos)) {
          break;
        }
        skipLine();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
        continue;
      }
      if (out.size() >= maxSeries) {
        throw error("more than " + maxSeries + " samples (expected: at most " + maxSeries + ")");
      }
      out.add(sample());
    }
    return out;
  }

  private Metric sample() {
    String name = name(true);
    List<String> pairs = new ArrayList<>();
    if (pos < text.length() && text.charAt(pos) == '{') {
      pos++;
      while (true) {
        skipBlanks();
        if (peek() == '}') {
          pos++;
          break;
        }
        if (pairs.size() >= 2 * MAX_LABELS) {
          throw error("more than " + MAX_LABELS + " labels (expected: at most " + MAX_LABELS + ")");
        }
        String label = name(false);
        skipBlanks();
        expect('=');
        skipBlanks();
        pairs.add(label);
        pairs.add(quoted());
        skipBlanks();
        if (peek() == ',') {
          pos++;
        } else if (peek() != '}') {
          throw error("'" + printable(peek()) + "' after a label (expected: ',' or '}')");
        }
      }
    }
    if (peek() != ' ' && peek() != '\t') {
      throw error("'" + printable(peek()) + "' after the metric name (expected: a space and the value)");
    }
    skipBlanks();
    int start = pos;
    while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    double value = number(text.substring(start, pos));
    skipLine(); // timestamp, exemplar
    return Metric.of(name, value, pairs.toArray(new String[0]));
  }

  private String name(boolean metric) {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (pos > start && c >= '0' && c <= '9') || (metric && c == ':');
      if (!ok) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error("'" + printable(peek()) + "' (expected: a " + (metric ? "metric" : "label") + " name)");
    }
    if (pos - start > MAX_NAME) {
      throw error("a name of " + (pos - start) + " characters (expected: at most " + MAX_NAME + ")");
    }
    return text.substring(start, pos);
  }

  private String quoted() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw error("end of line inside a label value (expected: a closing '\"')");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\' && pos < text.length()) {
        char e = text.charAt(pos++);
        sb.append(e == 'n' ? '\n' : e);
      } else {
        sb.append(c);
      }
      if (sb.length() > MAX_VALUE) {
        throw error("a label value over " + MAX_VALUE + " characters (expected: at most " + MAX_VALUE + ")");
      }
    }
  }

  private double number(String s) {
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          if (s.isEmpty() || s.indexOf('x') >= 0 || s.indexOf('X') >= 0 || s.endsWith("d") || s.endsWith("f")
              || s.endsWith("D") || s.endsWith("F")) {
            throw new NumberFormatException();
          }
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw error("value '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s)
              + "' (expected: a number, NaN, +Inf or -Inf)");
        }
    }
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + printable(peek()) + "' (expected: '" + c + "')");
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\n';
  }

  private void skipBlanks() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private void skipLine() {
    int nl = text.indexOf('\n', pos);
    pos = nl < 0 ? text.length() : nl;
  }

  private static String printable(char c) {
    return c == '\n' ? "end of line" : String.valueOf(c);
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("line " + line + ": " + what);
  }
}
