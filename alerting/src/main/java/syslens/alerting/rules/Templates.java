package syslens.alerting.rules;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of Prometheus' alert templates (Go text/template) that rule annotations use:
 * {@code {{ $value }}}, {@code {{ $labels.instance }}}, {@code {{ .Value }}},
 * {@code {{ .Labels.job }}}, {@code {{ $externalLabels.x }}}, string and number literals,
 * pipelines and the functions {@code humanize}, {@code humanize1024},
 * {@code humanizePercentage}, {@code humanizeDuration}, {@code printf}, {@code toUpper},
 * {@code toLower}, {@code title}. Whitespace trimming ({@code {{-}} / {@code -}}}) is honoured.
 * Rendering never throws: a template error yields the template text followed by
 * {@code [template error: ...]} so the alert still goes out with something readable.
 */
public final class Templates {
  static final int MAX_OUTPUT = 16 * 1024;

  /** What a template sees. */
  public record Data(Map<String, String> labels, double value, Map<String, String> external) {}

  private Templates() {}

  /** Null when {@code template} parses, else the problem. */
  public static String check(String template) {
    try {
      render(template, new Data(Map.of(), 0, Map.of()), true);
      return null;
    } catch (TemplateException e) {
      return e.getMessage();
    }
  }

  /** Renders {@code template}; on an error the fallback text described above. */
  public static String expand(String template, Data data) {
    try {
      return render(template, data, false);
    } catch (TemplateException e) {
      return template + " [template error: " + e.getMessage() + "]";
    }
  }

  static final class TemplateException extends RuntimeException {
    TemplateException(String m) {
      super(m);
    }
  }

  private static String render(String t, Data data, boolean checkOnly) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < t.length()) {
      int open = t.indexOf("{{", i);
      if (open < 0) {
        out.append(t, i, t.length());
        break;
      }
      int close = t.indexOf("}}", open + 2);
      if (close < 0) {
        throw new TemplateException("unclosed action at offset " + open + " (expected: }})");
      }
      String action = t.substring(open + 2, close);
      String text = t.substring(i, open);
      if (action.startsWith("-")) {
        text = text.stripTrailing();
        action = action.substring(1);
      }
      out.append(text);
      i = close + 2;
      if (action.endsWith("-")) {
        action = action.substring(0, action.length() - 1);
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
          i++;
        }
      }
      String a = action.strip();
      if (a.startsWith("/*") && a.endsWith("*/")) {
        continue;
      }
      Object v = pipeline(a, data);
      if (!checkOnly) {
        out.append(show(v));
      }
      if (out.length() > MAX_OUTPUT) {
        throw new TemplateException("output longer than " + MAX_OUTPUT + " characters");
      }
    }
    return out.toString();
  }

  private static Object pipeline(String a, Data data) {
    if (a.isEmpty()) {
      throw new TemplateException("empty action {{}} (expected: a value like $value)");
    }
    Object v = null;
    boolean first = true;
    for (String stage : splitPipes(a)) {
      List<String> words = words(stage.strip());
      if (words.isEmpty()) {
        throw new TemplateException("empty pipeline stage in {{" + a + "}}");
      }
      List<Object> args = new ArrayList<>();
      String head = words.get(0);
      boolean fn = Character.isLetter(head.charAt(0));
      for (String w : words.subList(fn ? 1 : 0, words.size())) {
        args.add(operand(w, data));
      }
      if (!first) {
        args.add(v);
      }
      if (fn) {
        v = call(head, args);
      } else if (args.size() == 1) {
        v = args.get(0);
      } else {
        throw new TemplateException("can't give argument to non-function " + head);
      }
      first = false;
    }
    return v;
  }

  private static Object operand(String w, Data data) {
    if (w.startsWith("\"") || w.startsWith("`")) {
      return w.substring(1, w.length() - 1).replace("\\n", "\n").replace("\\\"", "\"");
    }
    if (w.equals("$value") || w.equals(".Value")) {
      return data.value();
    }
    if (w.equals("$labels") || w.equals(".Labels")) {
      return new TreeMap<>(data.labels());
    }
    if (w.startsWith("$labels.") || w.startsWith(".Labels.")) {
      return data.labels().getOrDefault(w.substring(w.indexOf('.', 1) + 1), "");
    }
    if (w.startsWith("$externalLabels.") || w.startsWith(".ExternalLabels.")) {
      return data.external().getOrDefault(w.substring(w.indexOf('.', 1) + 1), "");
    }
    try {
      return Double.parseDouble(w);
    } catch (NumberFormatException e) {
      throw new TemplateException("undefined variable or value " + RuleFiles.abbrev(w)
          + " (expected: $value, $labels.<name>, .Value, .Labels.<name>, a string or a number)");
    }
  }

  private static Object call(String fn, List<Object> args) {
    switch (fn) {
      case "humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "toUpper",
          "toLower", "title" -> {
        if (args.size() != 1) {
          throw new TemplateException(fn + ": " + args.size() + " arguments (expected: 1)");
        }
      }
      case "printf" -> {
        if (args.isEmpty() || !(args.get(0) instanceof String)) {
          throw new TemplateException("printf: expected a format string first");
        }
      }
      default -> throw new TemplateException("function \"" + RuleFiles.abbrev(fn)
          + "\" not defined (expected: humanize, humanize1024, humanizePercentage, "
          + "humanizeDuration, printf, toUpper, toLower, title)");
    }
    Object a = args.get(0);
    return switch (fn) {
      case "humanize" -> Humanize.si(num(a, fn));
      case "humanize1024" -> Humanize.iec(num(a, fn));
      case "humanizePercentage" -> Humanize.g4(num(a, fn) * 100) + "%";
      case "humanizeDuration" -> Humanize.duration(num(a, fn));
      case "toUpper" -> show(a).toUpperCase(Locale.ROOT);
      case "toLower" -> show(a).toLowerCase(Locale.ROOT);
      case "title" -> title(show(a));
      default -> printf((String) a, args.subList(1, args.size()));
    };
  }

  private static String printf(String format, List<Object> args) {
    Object[] xs = new Object[args.size()];
    String f = format.replace("%v", "%s");
    for (int i = 0; i < xs.length; i++) {
      Object x = args.get(i);
      xs[i] = x instanceof Double d && d == Math.rint(d) && f.contains("%d") ? (Object) d.longValue()
          : x instanceof Double ? x : show(x);
    }
    try {
      return String.format(Locale.ROOT, f, xs);
    } catch (IllegalFormatException e) {
      throw new TemplateException("printf \"" + format + "\": " + e.getMessage());
    }
  }

  private static double num(Object a, String fn) {
    if (a instanceof Double d) {
      return d;
    }
    try {
      return Double.parseDouble(show(a));
    } catch (NumberFormatException e) {
      throw new TemplateException(fn + ": \"" + RuleFiles.abbrev(show(a))
          + "\" (expected: a number)");
    }
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean start = true;
    for (char c : s.toCharArray()) {
      b.append(start ? Character.toUpperCase(c) : c);
      start = !Character.isLetterOrDigit(c);
    }
    return b.toString();
  }

  static String show(Object v) {
    if (v instanceof Double d) {
      return Humanize.goFloat(d);
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("map[");
      m.forEach((k, x) -> b.append(b.length() > 4 ? " " : "").append(k).append(':').append(x));
      return b.append(']').toString();
    }
    return String.valueOf(v);
  }

  private static List<String> splitPipes(String a) {
    List<String> out = new ArrayList<>();
    int start = 0;
    char quote = 0;
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      if (quote != 0) {
        if (c == '\\' && quote == '"') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '|') {
        out.add(a.substring(start, i));
        start = i + 1;
      }
    }
    if (quote != 0) {
      throw new TemplateException("unterminated string in {{" + a + "}}");
    }
    out.add(a.substring(start));
    return out;
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int j = i + 1;
      if (c == '"' || c == '`') {
        while (j < s.length() && s.charAt(j) != c) {
          j += s.charAt(j) == '\\' && c == '"' ? 2 : 1;
        }
        j = Math.min(j + 1, s.length());
      } else if (c == '(' || c == ')') {
        throw new TemplateException("parenthesised pipelines are not supported (expected: "
            + "a | b | c)");
      } else {
        while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
          j++;
        }
      }
      out.add(s.substring(i, j));
      i = j;
    }
    return out;
  }
}
