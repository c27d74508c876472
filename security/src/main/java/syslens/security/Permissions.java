package syslens.security;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Permissions are {@code module:resource:action} (modules monitoring, alerts, system, users;
 * actions read, write, delete, manage); {@code *} in a part matches anything.
 */
public final class Permissions {
  static final Pattern FORMAT = Pattern.compile(
      "(\\*|monitoring|alerts|system|users):(\\*|[a-z][a-z0-9_-]{0,31}):(\\*|read|write|delete|manage)");

  private Permissions() {}

  /** True when {@code granted} covers {@code wanted}. */
  public static boolean implies(String granted, String wanted) {
    String[] g = granted.split(":", 3);
    String[] w = wanted.split(":", 3);
    if (g.length != 3 || w.length != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      if (!g[i].equals("*") && !g[i].equals(w[i])) {
        return false;
      }
    }
    return true;
  }

  /** True when any of {@code granted} covers {@code wanted}. */
  public static boolean implies(Collection<String> granted, String wanted) {
    for (String g : granted) {
      if (implies(g, wanted)) {
        return true;
      }
    }
    return false;
  }

  /** Null when {@code p} is well formed; otherwise what is wrong with it. */
  public static String problem(String p) {
    return p != null && FORMAT.matcher(p).matches() ? null
        : "permission: \"" + (p == null ? "" : p.length() > 64 ? p.substring(0, 64) + "..." : p)
            + "\" (expected: module:resource:action with module monitoring|alerts|system|users|*, "
            + "action read|write|delete|manage|*)";
  }
}
