package syslens.query.parser;

import syslens.query.QueryException;

/** Builds Prometheus-style parse errors: {@code 1:10: parse error: <message>}. */
public final class ParseErrors {
  private ParseErrors() {}

  /** A BAD_DATA exception naming the line and column (1-based) of {@code pos} in {@code query}. */
  public static QueryException at(String query, int pos, String message) {
    String where;
    if (pos < 0 || pos > query.length()) {
      where = "invalid position:";
    } else {
      int line = 1;
      int lastBreak = -1;
      for (int i = 0; i < pos; i++) {
        if (query.charAt(i) == '\n') {
          line++;
          lastBreak = i;
        }
      }
      // Go counts columns in bytes of UTF-8.
      int col = query.substring(lastBreak + 1, pos).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
      where = line + ":" + col + ":";
    }
    return new QueryException(QueryException.Kind.BAD_DATA, where + " parse error: " + message);
  }
}
