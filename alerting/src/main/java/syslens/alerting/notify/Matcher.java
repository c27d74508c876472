package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Map;
import syslens.storage.Labels;

/**
 * One label matcher as Alertmanager has them: {@code name="v"}, {@code name!="v"},
 * {@code name=~"re"}, {@code name!~"re"}. Regular expressions are RE2 (linear time) and anchored
 * at both ends, as in Alertmanager; a missing label matches as the empty string.
 */
public final class Matcher {
  /** The four operators. */
  public enum Type {
    EQ("="), NEQ("!="), RE("=~"), NRE("!~");

    final String op;

    Type(String op) {
      this.op = op;
    }
  }

  static final int MAX_VALUE = 1024;
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final String name;
  private final Type type;
  private final String value;
  private final Pattern re;

  private Matcher(String name, Type type, String value) {
    this.name = name;
    this.type = type;
    this.value = value;
    this.re = type == Type.RE || type == Type.NRE ? Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL) : null;
  }

  /** A matcher; throws {@link IllegalArgumentException} naming a bad label name or regex. */
  public static Matcher of(String name, Type type, String value) {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    requireNonNull(value, "value");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("label name \"" + cut(name) + "\" (expected: [a-zA-Z_][a-zA-Z0-9_]*)");
    }
    if (value.length() > MAX_VALUE) {
      throw new IllegalArgumentException("value of " + name + ": " + value.length() + " characters (expected: <= "
          + MAX_VALUE + ")");
    }
    try {
      return new Matcher(name, type, value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("regex of " + name + ": " + e.getMessage() + " (expected: RE2 syntax)");
    }
  }

  /**
   * Parses Alertmanager's matcher syntax: {@code name<op>"value"} or {@code name<op>value}, with
   * Go-style escapes in quoted values.
   */
  public static Matcher parse(String s) {
    requireNonNull(s, "s");
    String t = s.strip();
    int i = 0;
    while (i < t.length() && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) {
      i++;
    }
    String name = t.substring(0, i);
    String rest = t.substring(i).stripLeading();
    Type type = null;
    for (Type ty : new Type[] {Type.NEQ, Type.NRE, Type.RE, Type.EQ}) {
      if (rest.startsWith(ty.op)) {
        type = ty;
        break;
      }
    }
    if (name.isEmpty() || type == null) {
      throw new IllegalArgumentException("matcher \"" + cut(s) + "\" (expected: name=\"value\", name!=\"value\", "
          + "name=~\"regex\" or name!~\"regex\")");
    }
    String v = rest.substring(type.op.length()).strip();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = unquote(v.substring(1, v.length() - 1), s);
    } else if (v.startsWith("\"")) {
      throw new IllegalArgumentException("matcher \"" + cut(s) + "\": unterminated quoted value");
    }
    return of(name, type, v);
  }

  private static String unquote(String v, String whole) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        b.append(switch (n) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> n;
        });
      } else if (c == '"') {
        throw new IllegalArgumentException("matcher \"" + cut(whole) + "\": unescaped quote in value");
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  public String value() {
    return value;
  }

  /** True when the label {@link #name()} of {@code labels} (empty if absent) satisfies this matcher. */
  public boolean matches(Labels labels) {
    String v = labels.get(name);
    return matches(v == null ? "" : v);
  }

  boolean matches(String v) {
    return switch (type) {
      case EQ -> v.equals(value);
      case NEQ -> !v.equals(value);
      case RE -> re.matches(v);
      case NRE -> !re.matches(v);
    };
  }

  /** Alertmanager's API v2 shape: name, value, isRegex, isEqual. */
  public Map<String, Object> toJson() {
    return Map.of("name", name, "value", value, "isRegex", type == Type.RE || type == Type.NRE,
        "isEqual", type == Type.EQ || type == Type.RE);
  }

  /** From Alertmanager's API v2 shape ({@code isEqual} defaults to true). */
  public static Matcher fromJson(String name, String value, boolean isRegex, boolean isEqual) {
    Type t = isRegex ? (isEqual ? Type.RE : Type.NRE) : (isEqual ? Type.EQ : Type.NEQ);
    return of(name, t, value);
  }

  static boolean all(java.util.List<Matcher> ms, Labels labels) {
    for (Matcher m : ms) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  private static String cut(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  @Override
  public String toString() {
    return name + type.op + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.name.equals(name) && m.type == type && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + type.hashCode()) * 31 + value.hashCode();
  }
}
