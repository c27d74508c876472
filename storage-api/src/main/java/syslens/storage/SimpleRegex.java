package syslens.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A regex of the forms dashboards write, matched without a regex engine (as Prometheus'
 * FastRegexMatcher): alternatives joined by {@code |}, each plain characters optionally followed
 * by {@code .*} (any rest without a newline: RE2's {@code .} does not match one) or by one
 * character class of letters, digits and ranges between them ({@code host-0000[0-4]}). Anything
 * else (groups, escapes, other quantifiers, flags, negated classes) is not simple: {@link #parse}
 * answers null and the regex engine decides.
 */
final class SimpleRegex {
  /** One alternative: {@code literal}, {@code literal.*} or {@code literal[class]}. */
  private record Alt(String literal, boolean anyRest, char[] ranges) {
    boolean matches(String v) {
      if (!v.startsWith(literal)) {
        return false;
      }
      int n = literal.length();
      if (anyRest) {
        return v.indexOf('\n', n) < 0;
      }
      if (ranges == null) {
        return v.length() == n;
      }
      if (v.length() != n + 1) {
        return false;
      }
      char c = v.charAt(n);
      for (int i = 0; i < ranges.length; i += 2) {
        if (c >= ranges[i] && c <= ranges[i + 1]) {
          return true;
        }
      }
      return false;
    }
  }

  private final Alt[] alts;

  private SimpleRegex(Alt[] alts) {
    this.alts = alts;
  }

  /** The literal every alternative starts with ("" when they share none). */
  String commonPrefix() {
    List<String> literals = new ArrayList<>(alts.length);
    for (Alt a : alts) {
      literals.add(a.literal());
    }
    return Matcher.commonPrefix(literals);
  }

  /** Whether the whole value matches (the regex is anchored at both ends). */
  boolean matches(String v) {
    for (Alt a : alts) {
      if (a.matches(v)) {
        return true;
      }
    }
    return false;
  }

  private static boolean alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** The simple form of {@code re}, or null when it is not one. */
  static SimpleRegex parse(String re) {
    List<Alt> alts = new ArrayList<>();
    int i = 0;
    int n = re.length();
    while (true) {
      int start = i;
      while (i < n && Matcher.plain(re.charAt(i))) {
        i++;
      }
      String literal = re.substring(start, i);
      boolean anyRest = false;
      char[] ranges = null;
      if (i + 1 < n && re.charAt(i) == '.' && re.charAt(i + 1) == '*') {
        anyRest = true;
        i += 2;
      } else if (i < n && re.charAt(i) == '[') {
        int close = re.indexOf(']', i + 1);
        if (close < 0) {
          return null;
        }
        ranges = ranges(re.substring(i + 1, close));
        if (ranges == null) {
          return null;
        }
        i = close + 1;
      }
      alts.add(new Alt(literal, anyRest, ranges));
      if (i == n) {
        return new SimpleRegex(alts.toArray(Alt[]::new));
      }
      if (re.charAt(i) != '|') {
        return null; // a quantifier, a group, an escape...: not simple
      }
      i++;
    }
  }

  /** A class body of letters, digits and {@code a-z} ranges as pairs of bounds, or null. */
  private static char[] ranges(String body) {
    if (body.isEmpty()) {
      return null;
    }
    List<Character> out = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      char lo = body.charAt(i);
      if (!alnum(lo)) {
        return null;
      }
      char hi = lo;
      if (i + 2 < body.length() && body.charAt(i + 1) == '-') {
        hi = body.charAt(i + 2);
        if (!alnum(hi) || hi < lo) {
          return null;
        }
        i += 3;
      } else {
        i++;
      }
      out.add(lo);
      out.add(hi);
    }
    char[] r = new char[out.size()];
    for (int k = 0; k < r.length; k++) {
      r[k] = out.get(k);
    }
    return r;
  }
}
