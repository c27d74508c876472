package syslens.query.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.query.QueryException;

class LexerTest {
  private static List<TokenType> types(String q) {
    return Lexer.lex(q).stream().map(Token::type).toList();
  }

  private static List<String> texts(String q) {
    return Lexer.lex(q).stream().map(Token::text).toList();
  }

  @Test
  void lex_allOperators() {
    assertThat(types("+ - * / % ^ == != < <= > >= = , @ and or unless atan2"))
        .containsExactly(TokenType.ADD, TokenType.SUB, TokenType.MUL, TokenType.DIV,
            TokenType.MOD, TokenType.POW, TokenType.EQL, TokenType.NEQ, TokenType.LSS,
            TokenType.LTE, TokenType.GTR, TokenType.GTE, TokenType.ASSIGN, TokenType.COMMA,
            TokenType.AT, TokenType.LAND, TokenType.LOR, TokenType.LUNLESS, TokenType.ATAN2,
            TokenType.EOF);
    // Regex match operators exist only inside braces, as in Prometheus' lexer.
    assertThat(types("{a=~\"b\",c!~\"d\",e!=\"f\"}")).containsExactly(TokenType.LEFT_BRACE,
        TokenType.IDENTIFIER, TokenType.EQL_REGEX, TokenType.STRING, TokenType.COMMA,
        TokenType.IDENTIFIER, TokenType.NEQ_REGEX, TokenType.STRING, TokenType.COMMA,
        TokenType.IDENTIFIER, TokenType.NEQ, TokenType.STRING, TokenType.RIGHT_BRACE, TokenType.EOF);
  }

  @Test
  void lex_keywordsCaseInsensitive() {
    assertThat(types("SUM By offset BOOL group_left Without"))
        .containsExactly(TokenType.SUM, TokenType.BY, TokenType.OFFSET, TokenType.BOOL,
            TokenType.GROUP_LEFT, TokenType.WITHOUT, TokenType.EOF);
  }

  @Test
  void lex_durations() {
    assertThat(types("[1h30m]")).containsExactly(TokenType.LEFT_BRACKET, TokenType.DURATION,
        TokenType.RIGHT_BRACKET, TokenType.EOF);
    assertThat(texts("5m 1y2w3d4h5m6s7ms 100ms")).containsExactly("5m", "1y2w3d4h5m6s7ms",
        "100ms", "");
    assertThat(Durations.parseMillis("1h30m")).isEqualTo(5_400_000L);
    assertThat(Durations.parseMillis("1y")).isEqualTo(365L * 86_400_000);
    assertThat(Durations.parseMillis("30m1h")).isEqualTo(-1);
  }

  @Test
  void lex_numbers() {
    assertThat(types("1 1.5 .5 2. 0x1F 1e3 1.5E-3 Inf nan NaN"))
        .allMatch(t -> t == TokenType.NUMBER || t == TokenType.EOF);
    assertThat(Numbers.parse("0x1F")).isEqualTo(31);
    assertThat(Numbers.parse("1.5E-3")).isEqualTo(0.0015);
    assertThat(Numbers.parse("010")).isEqualTo(8);
    assertThat(Numbers.parse("0")).isEqualTo(0);
    assertThat(Numbers.parse("09")).as("not octal: decimal, as Go's ParseFloat").isEqualTo(9);
    assertThat(Numbers.parse("0017")).isEqualTo(15);
    assertThat(Numbers.parse("Inf")).isInfinite();
    assertThat(Numbers.parse("nan")).isNaN();
  }

  @Test
  void lex_strings() {
    assertThat(texts("\"a\\n\\\"b\\x41\\u00e9\" 'it\\'s' `raw\\n`"))
        .containsExactly("a\n\"bAé", "it's", "raw\\n", "");
  }

  @Test
  void lex_identifiersAndMetricIdentifiers() {
    assertThat(types("foo job:rate5m:sum foo{bar=\"x\"}")).containsExactly(
        TokenType.IDENTIFIER, TokenType.METRIC_IDENTIFIER, TokenType.IDENTIFIER,
        TokenType.LEFT_BRACE, TokenType.IDENTIFIER, TokenType.ASSIGN, TokenType.STRING,
        TokenType.RIGHT_BRACE, TokenType.EOF);
  }

  @Test
  void lex_keywordInsideBracesIsIdentifier() {
    assertThat(types("{by=\"x\"}")).containsExactly(TokenType.LEFT_BRACE, TokenType.IDENTIFIER,
        TokenType.ASSIGN, TokenType.STRING, TokenType.RIGHT_BRACE, TokenType.EOF);
  }

  @Test
  void lex_commentsSkipped() {
    assertThat(types("foo # a comment\n+ 1")).containsExactly(TokenType.IDENTIFIER,
        TokenType.ADD, TokenType.NUMBER, TokenType.EOF);
  }

  @Test
  void lex_errors() {
    assertError("\"abc", "1:1: parse error: unterminated quoted string");
    assertError("`abc", "1:1: parse error: unterminated raw string");
    // Prometheus 2.42 (promtool check rules) reports these positions.
    assertError("foo)", "1:5: parse error: unexpected right parenthesis ')'");
    assertError("(foo", "1:5: parse error: unclosed left parenthesis");
    assertError("1a", "1:1: parse error: bad number or duration syntax: \"1\"");
    assertError("foo ! bar", "1:5: parse error: unexpected character after '!': ' '");
    assertError("foo $", "1:5: parse error: unexpected character: '$'");
    assertError("\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'");
    assertError("x !~ y", "1:3: parse error: unexpected character after '!': '~'");
    assertError("x{1=\"a\"}", "1:3: parse error: unexpected character inside braces: '1'");
    assertError("foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces");
  }

  private static void assertError(String q, String message) {
    assertThatThrownBy(() -> Lexer.lex(q)).isInstanceOf(QueryException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(((QueryException) e).kind())
            .isEqualTo(QueryException.Kind.BAD_DATA));
  }
}
