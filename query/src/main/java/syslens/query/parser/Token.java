package syslens.query.parser;

/**
 * One lexed token: its kind, its text (strings: the decoded value), its offset in the query,
 * and its source text as written (strings: with quotes and escapes).
 */
public record Token(TokenType type, String text, int pos, String raw) {
  public Token(TokenType type, String text, int pos) {
    this(type, text, pos, text);
  }

  /** Prometheus' rendering of a token in "unexpected ..." messages. */
  String describe() {
    return switch (type) {
      case EOF -> "end of input";
      case IDENTIFIER, METRIC_IDENTIFIER, NUMBER, STRING, DURATION ->
          type.describe() + " " + quoted();
      default -> {
        if (type.isKeyword()) {
          yield "<" + text + ">";
        } else if (type.isOperator()) {
          yield "<op:" + text + ">";
        } else if (type.isAggregator()) {
          yield "<aggr:" + text + ">";
        }
        yield '"' + text + '"';
      }
    };
  }

  private String quoted() {
    String s = raw.length() > 10 ? raw.substring(0, 10) : raw;
    String q = '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    return raw.length() > 10 ? q + "..." : q;
  }
}
