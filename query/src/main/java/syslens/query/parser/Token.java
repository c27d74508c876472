package syslens.query.parser;

/** One lexed token: its kind, its source text and its byte offset in the query. */
public record Token(TokenType type, String text, int pos) {

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
    String s = text.length() > 10 ? text.substring(0, 10) : text;
    String q = '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    return text.length() > 10 ? q + "..." : q;
  }
}
