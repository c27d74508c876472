package syslens.query.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import syslens.query.QueryException;
import syslens.query.parser.Expr.AggregateExpr;
import syslens.query.parser.Expr.BinaryExpr;
import syslens.query.parser.Expr.Call;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.NumberLiteral;
import syslens.query.parser.Expr.ParenExpr;
import syslens.query.parser.Expr.SubqueryExpr;
import syslens.query.parser.Expr.UnaryExpr;
import syslens.query.parser.Expr.VectorMatching.Cardinality;
import syslens.query.parser.Expr.VectorSelector;
import syslens.storage.Matcher;

class ParserTest {
  /** Renders the tree with explicit parentheses to check precedence. */
  private static String shape(Expr e) {
    return switch (e) {
      case NumberLiteral n -> String.valueOf((long) n.value());
      case VectorSelector v -> v.name();
      case BinaryExpr b -> "(" + shape(b.lhs()) + " " + b.op().text() + " " + shape(b.rhs()) + ")";
      case UnaryExpr u -> "(" + u.op().text() + shape(u.expr()) + ")";
      case ParenExpr p -> shape(p.expr());
      default -> e.toString();
    };
  }

  @Test
  void parse_precedence() {
    assertThat(shape(Parser.parse("a + b * c"))).isEqualTo("(a + (b * c))");
    assertThat(shape(Parser.parse("a * b + c"))).isEqualTo("((a * b) + c)");
    assertThat(shape(Parser.parse("a - b - c"))).isEqualTo("((a - b) - c)");
    assertThat(shape(Parser.parse("a ^ b ^ c"))).isEqualTo("(a ^ (b ^ c))");
    assertThat(shape(Parser.parse("a or b and c unless d")))
        .isEqualTo("(a or ((b and c) unless d))");
    assertThat(shape(Parser.parse("a > b + c"))).isEqualTo("(a > (b + c))");
    assertThat(shape(Parser.parse("a % b atan2 c"))).isEqualTo("((a % b) atan2 c)");
    assertThat(shape(Parser.parse("(a + b) * c"))).isEqualTo("((a + b) * c)");
  }

  @Test
  void parse_unaryMinus() {
    assertThat(shape(Parser.parse("-a ^ b"))).isEqualTo("(-(a ^ b))");
    assertThat(shape(Parser.parse("-a * b"))).isEqualTo("((-a) * b)");
    assertThat(((NumberLiteral) Parser.parse("-1")).value()).isEqualTo(-1);
    assertThat(((NumberLiteral) Parser.parse("- - 2")).value()).isEqualTo(2);
    assertThat(shape(Parser.parse("1 - -1"))).isEqualTo("(1 - -1)");
  }

  @Test
  void parse_selectorWithAllMatcherTypes() {
    VectorSelector vs = (VectorSelector) Parser.parse(
        "foo{a=\"1\", b!=\"2\", c=~\"3.*\", d!~'4',}");
    assertThat(vs.name()).isEqualTo("foo");
    assertThat(vs.matchers()).extracting(Matcher::type).containsExactly(Matcher.Type.EQUAL,
        Matcher.Type.NOT_EQUAL, Matcher.Type.REGEX, Matcher.Type.NOT_REGEX, Matcher.Type.EQUAL);
    assertThat(vs.matchers().get(4).toString()).isEqualTo("__name__=\"foo\"");
  }

  @Test
  void parse_rangeOffsetAt() {
    MatrixSelector ms = (MatrixSelector) Parser.parse("foo[1h30m] offset -5m @ 100.5");
    assertThat(ms.rangeMs()).isEqualTo(5_400_000);
    assertThat(ms.selector().offsetMs()).isEqualTo(-300_000);
    assertThat(ms.selector().at().timeMs()).isEqualTo(100_500);
    VectorSelector vs = (VectorSelector) Parser.parse("foo @ end()");
    assertThat(vs.at().kind()).isEqualTo(Expr.At.Kind.END);
  }

  @Test
  void parse_subqueryParsed() {
    SubqueryExpr sq = (SubqueryExpr) Parser.parse("rate(foo[5m])[30m:1m]");
    assertThat(sq.rangeMs()).isEqualTo(1_800_000);
    assertThat(sq.stepMs()).isEqualTo(60_000);
  }

  @Test
  void parse_aggregationGroupingBothPositions() {
    AggregateExpr a = (AggregateExpr) Parser.parse("sum by (job, instance) (foo)");
    AggregateExpr b = (AggregateExpr) Parser.parse("sum(foo) by (job, instance)");
    assertThat(a.grouping()).containsExactly("job", "instance").isEqualTo(b.grouping());
    AggregateExpr c = (AggregateExpr) Parser.parse("topk without (job) (3, foo)");
    assertThat(c.without()).isTrue();
    assertThat(((NumberLiteral) c.param()).value()).isEqualTo(3);
  }

  @Test
  void parse_vectorMatching() {
    BinaryExpr b = (BinaryExpr) Parser.parse("a / on(job) group_left(x) b");
    assertThat(b.matching().on()).isTrue();
    assertThat(b.matching().matchingLabels()).containsExactly("job");
    assertThat(b.matching().card()).isEqualTo(Cardinality.MANY_TO_ONE);
    assertThat(b.matching().include()).containsExactly("x");
    BinaryExpr c = (BinaryExpr) Parser.parse("a > bool ignoring(job) b");
    assertThat(c.returnBool()).isTrue();
    assertThat(c.matching().on()).isFalse();
    BinaryExpr d = (BinaryExpr) Parser.parse("a and b");
    assertThat(d.matching().card()).isEqualTo(Cardinality.MANY_TO_MANY);
    assertThat(((BinaryExpr) Parser.parse("a + 1")).matching()).isNull();
  }

  @Test
  void parse_functionCall() {
    Call c = (Call) Parser.parse("label_join(foo, \"d\", \",\", \"a\", \"b\")");
    assertThat(c.args()).hasSize(5);
    assertThat(c.type()).isEqualTo(ValueType.VECTOR);
    assertThat(Parser.parse("time()").type()).isEqualTo(ValueType.SCALAR);
  }

  @Test
  void parse_keywordsAsNames() {
    assertThat(((VectorSelector) Parser.parse("sum{job=\"x\"}")).name()).isEqualTo("sum");
    assertThat(((AggregateExpr) Parser.parse("sum(foo) by (on, by)")).grouping())
        .containsExactly("on", "by");
  }

  @Test
  void parse_errors() {
    assertError("foo{bar=}", "1:9: parse error: unexpected \"}\" in label matching, expected "
        + "string");
    assertError("foo{bar~\"x\"}", "1:8: parse error: unexpected character inside braces: '~'");
    assertError("foo(bar)", "1:1: parse error: unknown function with name \"foo\"");
    assertError("rate(foo)", "1:6: parse error: expected type range vector in call to function "
        + "\"rate\", got instant vector");
    assertError("rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to "
        + "\"rate\", got 2");
    assertError("round()", "1:1: parse error: expected at least 1 argument(s) in call to "
        + "\"round\", got 0");
    assertError("{}", "1:1: parse error: vector selector must contain at least one non-empty "
        + "matcher");
    assertError("{foo=\"\"}", "1:1: parse error: vector selector must contain at least one "
        + "non-empty matcher");
    assertError("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: "
        + "\"foo\" or \"bar\"");
    assertError("1 +", "1:4: parse error: unexpected end of input");
    assertError("foo bar", "1:5: parse error: unexpected identifier \"bar\"");
    assertError("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier");
    assertError("foo + bool bar", "1:5: parse error: bool modifier can only be used on "
        + "comparison operators");
    assertError("sum(foo) + on(x) 1", "1:1: parse error: vector matching only allowed between "
        + "instant vectors");
    assertError("1 and foo", "1:1: parse error: set operator \"and\" not allowed in binary "
        + "scalar expression");
    assertError("(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors");
    assertError("foo offset 5m[5m]", "1:14: parse error: no offset modifiers allowed before "
        + "range");
    assertError("sum(foo) offset 5m", "1:1: parse error: offset modifier must be preceded by "
        + "an instant vector selector or range vector selector or a subquery");
    // Checked against Prometheus 2.42 (server's PrometheusParityTest compares many more).
    assertError("foo[5x]", "1:5: parse error: bad duration syntax: \"5\"");
    assertError("foo[5]", "1:5: parse error: missing unit character in duration");
    assertError("foo[0s]", "1:5: parse error: duration must be greater than 0");
    assertError("x @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times");
    assertError("x @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf");
    assertError("1e1000", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing "
        + "\"1e1000\": value out of range");
    assertError("sum()", "1:1: parse error: no arguments for aggregate expression provided");
    assertError("sum by(\"a\")(x)", "1:8: parse error: unexpected string \"\\\"a\\\"\" in grouping "
        + "opts, expected label");
    assertError("x{a==b}", "1:5: parse error: unexpected \"=\" in label matching, expected string");
    assertError("x{a=\"ü\"} + y{", "1:15: parse error: unexpected end of input inside braces");
    assertError("sum(foo, bar)", "1:1: parse error: wrong number of arguments for aggregate "
        + "expression provided, expected 1, got 2");
    assertError("foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar "
        + "and instant vector types");
    assertError("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation "
        + "expression, got range vector");
    assertError("foo{a=~\"(\"}", "1:5: parse error: error parsing regexp: missing closing ): "
        + "`^(?:()$`");
    // A syntax error before a lexical one is reported first, as Prometheus' lazy lexer does.
    assertError("sum by (a (x)", "1:11: parse error: unexpected \"(\" in grouping opts, "
        + "expected \",\" or \")\"");
    assertError("node_load1{", "1:12: parse error: unexpected end of input inside braces");
    assertError("foo[5m] offset 1m offset 2m", "1:1: parse error: offset may not be set "
        + "multiple times");
    assertError("foo @", "1:6: parse error: unexpected end of input in @, expected timestamp");
    assertError("\nfoo{", "2:5: parse error: unexpected end of input inside braces");
  }

  private static void assertError(String q, String message) {
    assertError(q, message, false);
  }

  private static void assertError(String q, String message, boolean prefixOnly) {
    var a = assertThatThrownBy(() -> Parser.parse(q)).isInstanceOf(QueryException.class)
        .satisfies(e -> assertThat(((QueryException) e).kind())
            .isEqualTo(QueryException.Kind.BAD_DATA));
    if (prefixOnly) {
      a.hasMessageStartingWith(message.substring(0, message.indexOf("parse error") + 12));
    } else {
      a.hasMessage(message);
    }
  }

  @Test
  void isLabelName_asPrometheusLabelNameRule() {
    assertThat(Parser.isLabelName("job")).isTrue();
    assertThat(Parser.isLabelName("_a9")).isTrue();
    assertThat(Parser.isLabelName("A_Z")).isTrue();
    assertThat(Parser.isLabelName("")).isFalse();
    assertThat(Parser.isLabelName("9a")).isFalse();
    assertThat(Parser.isLabelName("a-b")).isFalse();
    assertThat(Parser.isLabelName("a.b")).isFalse();
    assertThat(Parser.isLabelName("é")).isFalse();
  }
}
