package syslens.storage;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A label matcher: {@code name="v"}, {@code !=}, {@code =~} and {@code !~}. Regexes are RE2
 * syntax, fully anchored ({@code ^(?:re)$}) as in Prometheus 2.42, and run in linear time (RE2/J):
 * a user regex cannot backtrack for minutes.
 */
public final class Matcher {
  public enum Type {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String op;

    Type(String op) {
      this.op = op;
    }

    public String op() {
      return op;
    }
  }

  private final Type type;
  private final String name;
  private final String value;
  private final Pattern pattern;
  /**
   * For a regex that is only literals joined by {@code |} ({@code a|b|c}, or one literal): the
   * values it matches, looked up instead of running the regex (as Prometheus' FastRegexMatcher
   * does); else null.
   */
  private final java.util.Set<String> literals;
  /**
   * For a regex of literals, {@code literal.*} and {@code literal[class]} alternatives
   * ({@code e.*|lo}, {@code host-0000[0-4]}): matched without the regex engine; else null.
   */
  private final SimpleRegex simple;
  /** For any other regex: a literal every match starts with ("" when none), checked first. */
  private final String prefix;
  /** {@link #matchedPrefix()}. */
  private final String matchedPrefix;

  private Matcher(Type type, String name, String value, Pattern pattern) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.pattern = pattern;
    this.literals = pattern == null ? null : literalAlternatives(value);
    this.simple = pattern == null || literals != null ? null : SimpleRegex.parse(value);
    this.prefix = pattern == null || literals != null || simple != null ? "" : literalPrefix(value);
    this.matchedPrefix = switch (type) {
      case EQUAL -> value;
      case NOT_EQUAL, NOT_REGEX -> "";
      case REGEX -> literals != null ? commonPrefix(literals) : simple != null ? simple.commonPrefix() : prefix;
    };
  }

  /** Characters that stand for themselves in RE2 syntax outside a class (conservatively few). */
  static boolean plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
        || c == ':' || c == '/' || c == ' ' || c == ',' || c == '=' || c == '@' || c == '%' || c == '#' || c == '!'
        || c == '~' || c == '<' || c == '>' || c == ';' || c == '&' || c == '\'' || c == '"';
  }

  /** The alternatives of a regex made only of plain characters and {@code |}, or null. */
  static java.util.Set<String> literalAlternatives(String re) {
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c != '|' && !plain(c)) {
        return null;
      }
    }
    return java.util.Set.copyOf(java.util.Arrays.asList(re.split("\\|", -1)));
  }

  /**
   * The plain characters a regex starts with, when no {@code |} appears anywhere in it (so every
   * match starts with them) and the first non-plain character does not make the last of them
   * optional or repeated ({@code ab?}, {@code ab*}, {@code ab{2}}); else "".
   */
  static String literalPrefix(String re) {
    if (re.indexOf('|') >= 0) {
      return "";
    }
    int i = 0;
    while (i < re.length() && plain(re.charAt(i))) {
      i++;
    }
    if (i < re.length()) {
      char next = re.charAt(i);
      if (next == '?' || next == '*' || next == '+' || next == '{') {
        i--; // the quantifier applies to the last plain character
      }
    }
    return i <= 0 ? "" : re.substring(0, i);
  }

  private boolean regexMatches(String v) {
    if (literals != null) {
      return literals.contains(v);
    }
    if (simple != null) {
      return simple.matches(v);
    }
    return v.startsWith(prefix) && pattern.matcher(v).matches();
  }

  /**
   * Creates a matcher.
   *
   * @throws IllegalArgumentException when a regex matcher's value is not a valid regex
   */
  public static Matcher create(Type type, String name, String value) {
    requireNonNull(type, "type");
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    Pattern p = null;
    if (type == Type.REGEX || type == Type.NOT_REGEX) {
      try {
        p = Pattern.compile("^(?:" + value + ")$");
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "regex " + quote(value) + " for label " + name + ": " + e.getDescription()
                + " (expected: a valid RE2-style regular expression)", e);
      }
    }
    return new Matcher(type, name, value, p);
  }

  public static Matcher equal(String name, String value) {
    return create(Type.EQUAL, name, value);
  }

  public static Matcher notEqual(String name, String value) {
    return create(Type.NOT_EQUAL, name, value);
  }

  public static Matcher regex(String name, String value) {
    return create(Type.REGEX, name, value);
  }

  public static Matcher notRegex(String name, String value) {
    return create(Type.NOT_REGEX, name, value);
  }

  public Type type() {
    return type;
  }

  public String name() {
    return name;
  }

  public String value() {
    return value;
  }

  /** Whether a label value matches; an absent label has the value "". */
  public boolean matches(String v) {
    return switch (type) {
      case EQUAL -> value.equals(v);
      case NOT_EQUAL -> !value.equals(v);
      case REGEX -> regexMatches(v);
      case NOT_REGEX -> !regexMatches(v);
    };
  }

  /**
   * A literal that every value this matcher matches starts with ("" when there is none or the
   * matcher is negative): the value of {@code =}, the common start of a regex's alternatives
   * ({@code host-0000} of {@code host-0000[0-4]}, "" of {@code e.*|lo}), or a regex's literal
   * start. An index of sorted values reads only the range that starts with it.
   */
  public String matchedPrefix() {
    return matchedPrefix;
  }

  static String commonPrefix(Iterable<String> words) {
    String p = null;
    for (String w : words) {
      if (p == null) {
        p = w;
        continue;
      }
      int i = 0;
      int n = Math.min(p.length(), w.length());
      while (i < n && p.charAt(i) == w.charAt(i)) {
        i++;
      }
      p = p.substring(0, i);
    }
    return p == null ? "" : p;
  }

  /** Whether a series with these labels is selected by this matcher. */
  public boolean matches(Labels labels) {
    return matches(labels.get(name));
  }

  /** True when the empty value matches, so series without the label are selected too. */
  public boolean matchesEmpty() {
    return matches("");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return (type.hashCode() * 31 + name.hashCode()) * 31 + value.hashCode();
  }

  @Override
  public String toString() {
    return name + type.op + quote(value);
  }

  private static String quote(String v) {
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
