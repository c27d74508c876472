package syslens.query.parser;

import java.util.ArrayList;
import java.util.List;
import syslens.query.QueryException;
import syslens.query.parser.Expr.AggregateExpr;
import syslens.query.parser.Expr.At;
import syslens.query.parser.Expr.BinaryExpr;
import syslens.query.parser.Expr.Call;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.NumberLiteral;
import syslens.query.parser.Expr.ParenExpr;
import syslens.query.parser.Expr.StringLiteral;
import syslens.query.parser.Expr.SubqueryExpr;
import syslens.query.parser.Expr.UnaryExpr;
import syslens.query.parser.Expr.VectorMatching;
import syslens.query.parser.Expr.VectorMatching.Cardinality;
import syslens.query.parser.Expr.VectorSelector;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * Recursive-descent PromQL parser with precedence climbing for binary operators (Prometheus'
 * table: {@code ^} right-associative above {@code * / % atan2}, then {@code + -}, comparisons,
 * {@code and unless}, {@code or}); unary minus binds like {@code *}. Errors are {@link
 * QueryException}s of kind BAD_DATA in Prometheus' form {@code line:col: parse error: ...}.
 */
public final class Parser {
  private static final int UNARY_OPERAND_PRECEDENCE = TokenType.POW.precedence();
  /**
   * Deepest expression tree accepted (parentheses, calls, operators, unary signs all count), so
   * neither the parser nor the evaluator can run out of stack on a hostile query.
   */
  public static final int MAX_DEPTH = 256;

  private final String query;
  private final List<Token> tokens;
  private int i;
  private int depth;

  /** The lexer's error, thrown when the parser reaches the token where lexing stopped. */
  private final QueryException lexError;

  private Parser(String query) {
    this.query = query;
    Lexer.Lexed lexed = Lexer.lexUntilError(query);
    this.tokens = lexed.tokens();
    this.lexError = lexed.error();
  }

  /** Parses and type-checks {@code query}. */
  public static Expr parse(String query) {
    Parser p = new Parser(query);
    if (p.peek().type() == TokenType.EOF) {
      throw p.error(0, "no expression found in input");
    }
    Expr e = p.parseExpr(1);
    Token t = p.peek();
    if (t.type() != TokenType.EOF) {
      throw p.error(t, "unexpected " + t.describe());
    }
    if (Exprs.depth(e, MAX_DEPTH) > MAX_DEPTH) {
      throw p.error(0, "expression nesting depth exceeds the limit of " + MAX_DEPTH);
    }
    return e;
  }

  /**
   * Parses a series selector alone ({@code match[]} of the metadata endpoints), as Prometheus'
   * ParseMetricSelector: no modifiers, no operators, and selectors whose matchers all match the
   * empty string are accepted (the caller decides).
   */
  public static VectorSelector parseMetricSelector(String query) {
    Parser p = new Parser(query);
    Token t = p.peek();
    VectorSelector vs;
    if (t.type() == TokenType.LEFT_BRACE) {
      vs = p.parseSelector(null, t.pos(), true);
    } else if (t.type() == TokenType.IDENTIFIER || t.type() == TokenType.METRIC_IDENTIFIER
        || t.type().isWord()) {
      p.next();
      vs = p.parseSelector(t.text(), t.pos(), true);
    } else if (t.type() == TokenType.EOF) {
      throw p.error(t, "unexpected end of input");
    } else {
      throw p.unexpected(t, null, null);
    }
    Token end = p.peek();
    if (end.type() != TokenType.EOF) {
      throw p.unexpected(end, null, null);
    }
    return vs;
  }

  private Token peek() {
    return at(i);
  }

  private Token peekAt(int ahead) {
    return at(Math.min(i + ahead, tokens.size() - 1));
  }

  private Token at(int index) {
    if (lexError != null && index >= tokens.size() - 1) {
      throw lexError;
    }
    return tokens.get(index);
  }

  private Token next() {
    Token t = at(i);
    if (t.type() != TokenType.EOF) {
      i++;
    }
    return t;
  }

  private QueryException error(int pos, String message) {
    return ParseErrors.at(query, pos, message);
  }

  private QueryException error(Token t, String message) {
    return error(t.pos(), message);
  }

  private QueryException unexpected(Token t, String context, String expected) {
    StringBuilder sb = new StringBuilder("unexpected ").append(t.describe());
    if (context != null) {
      sb.append(" in ").append(context);
    }
    if (expected != null) {
      sb.append(", expected ").append(expected);
    }
    return error(t, sb.toString());
  }

  private Token expect(TokenType type, String context, String expected) {
    Token t = peek();
    if (t.type() != type) {
      throw unexpected(t, context, expected);
    }
    return next();
  }

  // ---- expressions ----

  private Expr parseExpr(int minPrecedence) {
    if (++depth > MAX_DEPTH) {
      throw error(peek(), "expression nesting depth exceeds the limit of " + MAX_DEPTH);
    }
    try {
      return parseExprAtDepth(minPrecedence);
    } finally {
      depth--;
    }
  }

  private Expr parseExprAtDepth(int minPrecedence) {
    Expr lhs = parseUnary();
    while (true) {
      Token op = peek();
      int prec = op.type().precedence();
      if (prec == 0 || prec < minPrecedence) {
        return lhs;
      }
      next();
      boolean returnBool = false;
      if (peek().type() == TokenType.BOOL) {
        next();
        returnBool = true;
      }
      VectorMatching matching = parseMatching();
      Expr rhs = parseExpr(op.type().isRightAssociative() ? prec : prec + 1);
      lhs = binary(op, lhs, rhs, matching, returnBool);
    }
  }

  private VectorMatching parseMatching() {
    Cardinality card = Cardinality.ONE_TO_ONE;
    List<String> matching = List.of();
    boolean on = false;
    List<String> include = List.of();
    TokenType t = peek().type();
    if (t == TokenType.ON || t == TokenType.IGNORING) {
      next();
      on = t == TokenType.ON;
      matching = parseLabelList("grouping opts");
      TokenType g = peek().type();
      if (g == TokenType.GROUP_LEFT || g == TokenType.GROUP_RIGHT) {
        next();
        card = g == TokenType.GROUP_LEFT ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
        if (peek().type() == TokenType.LEFT_PAREN) {
          include = parseLabelList("grouping opts");
        }
      }
    }
    return new VectorMatching(card, matching, on, include);
  }

  private Expr binary(Token opTok, Expr lhs, Expr rhs, VectorMatching m, boolean returnBool) {
    TokenType op = opTok.type();
    if (returnBool && !op.isComparison()) {
      throw error(opTok, "bool modifier can only be used on comparison operators");
    }
    ValueType lt = lhs.type();
    ValueType rt = rhs.type();
    if (op.isComparison() && !returnBool && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw error(opTok, "comparisons between scalars must use BOOL modifier");
    }
    if (op.isSetOperator() && m.card() == Cardinality.ONE_TO_ONE) {
      m = new VectorMatching(Cardinality.MANY_TO_MANY, m.matchingLabels(), m.on(), m.include());
    }
    if (m.on()) {
      for (String l : m.matchingLabels()) {
        if (m.include().contains(l)) {
          throw error(opTok, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
        }
      }
    }
    if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
      throw error(lhs.pos(), "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
      throw error(rhs.pos(), "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType.VECTOR || rt != ValueType.VECTOR) {
      if (!m.matchingLabels().isEmpty() || m.card() == Cardinality.MANY_TO_ONE
          || m.card() == Cardinality.ONE_TO_MANY) {
        throw error(lhs.pos(), "vector matching only allowed between instant vectors");
      }
      if (op.isSetOperator()) {
        throw error(lhs.pos(),
            "set operator \"" + op.text() + "\" not allowed in binary scalar expression");
      }
      m = null;
    } else if (op.isSetOperator() && m.card() != Cardinality.MANY_TO_MANY) {
      throw error(lhs.pos(), "no grouping allowed for \"" + op.text() + "\" operation");
    }
    return new BinaryExpr(op, lhs, rhs, m, returnBool);
  }

  private Expr parseUnary() {
    Token t = peek();
    if (t.type() == TokenType.ADD || t.type() == TokenType.SUB) {
      next();
      Expr operand = parseExpr(UNARY_OPERAND_PRECEDENCE);
      if (operand instanceof NumberLiteral n) {
        return new NumberLiteral(t.type() == TokenType.SUB ? -n.value() : n.value(), t.pos());
      }
      ValueType type = operand.type();
      if (type != ValueType.SCALAR && type != ValueType.VECTOR) {
        throw error(t, "unary expression only allowed on expressions of type scalar or instant "
            + "vector, got \"" + type.description() + "\"");
      }
      return new UnaryExpr(t.type(), operand, t.pos());
    }
    return parsePostfix(parsePrimary());
  }

  private Expr parsePrimary() {
    Token t = peek();
    switch (t.type()) {
      case NUMBER -> {
        next();
        return new NumberLiteral(number(t), t.pos());
      }
      case STRING -> {
        next();
        return new StringLiteral(t.text(), t.pos());
      }
      case LEFT_PAREN -> {
        next();
        Expr inner = parseExpr(1);
        expect(TokenType.RIGHT_PAREN, "paren expression", "\")\"");
        return new ParenExpr(inner, t.pos());
      }
      case LEFT_BRACE -> {
        return parseSelector(null, t.pos());
      }
      case IDENTIFIER -> {
        next();
        if (peek().type() == TokenType.LEFT_PAREN) {
          return parseCall(t);
        }
        return parseSelector(t.text(), t.pos());
      }
      case METRIC_IDENTIFIER, BY, WITHOUT, OFFSET, LAND, LOR, LUNLESS -> {
        next();
        return parseSelector(t.text(), t.pos());
      }
      case EOF -> throw error(t, "unexpected end of input");
      default -> {
        if (t.type().isAggregator()) {
          TokenType after = peekAt(1).type();
          next();
          if (after == TokenType.LEFT_PAREN || after == TokenType.BY
              || after == TokenType.WITHOUT) {
            return parseAggregate(t);
          }
          return parseSelector(t.text(), t.pos());
        }
        throw unexpected(t, null, null);
      }
    }
  }

  /** A number token's value; errors worded as Go's strconv.ParseFloat, as Prometheus reports them. */
  private double number(Token t) {
    double v;
    try {
      v = Numbers.parse(t.text());
    } catch (NumberFormatException e) {
      throw error(t, "error parsing number: strconv.ParseFloat: parsing \"" + t.text() + "\": invalid syntax");
    }
    if (Double.isInfinite(v) && !t.text().toLowerCase(java.util.Locale.ROOT).endsWith("inf")) {
      throw error(t, "error parsing number: strconv.ParseFloat: parsing \"" + t.text() + "\": value out of range");
    }
    return v;
  }

  private Expr parsePostfix(Expr e) {
    while (true) {
      Token t = peek();
      switch (t.type()) {
        case LEFT_BRACKET -> e = parseRangeOrSubquery(e);
        case OFFSET -> e = parseOffset(e);
        case AT -> e = parseAt(e);
        default -> {
          return e;
        }
      }
    }
  }

  private Expr parseRangeOrSubquery(Expr e) {
    Token open = next();
    long range = parsePositiveDuration("range", "duration");
    if (peek().type() == TokenType.COLON) {
      next();
      long step = 0;
      boolean haveStep = peek().type() == TokenType.DURATION;
      if (haveStep) {
        step = parsePositiveDuration("subquery", "duration");
      }
      expect(TokenType.RIGHT_BRACKET, "subquery selector", haveStep ? "\"]\"" : "duration or \"]\"");
      if (e.type() != ValueType.VECTOR) {
        throw error(open, "subquery is only allowed on instant vector, got "
            + e.type().description() + " instead");
      }
      return new SubqueryExpr(e, range, step, 0, null, e.pos());
    }
    expect(TokenType.RIGHT_BRACKET, "range selector", "\"]\" or \":\"");
    if (!(e instanceof VectorSelector vs)) {
      throw error(open, "ranges only allowed for vector selectors");
    }
    if (vs.offsetMs() != 0) {
      throw error(open, "no offset modifiers allowed before range");
    }
    if (vs.at() != null) {
      throw error(open, "no @ modifiers allowed before range");
    }
    return new MatrixSelector(vs, range, e.pos());
  }

  private long parsePositiveDuration(String context, String expected) {
    Token d = peek();
    long ms = parseDuration(context, expected);
    if (ms == 0) {
      throw error(d, "duration must be greater than 0");
    }
    return ms;
  }

  private long parseDuration(String context, String expected) {
    Token d = peek();
    if (d.type() != TokenType.DURATION) {
      throw unexpected(d, context, expected);
    }
    next();
    long ms = Durations.parseMillis(d.text());
    if (ms < 0) {
      throw error(d, "not a valid duration string: \"" + d.text() + "\"");
    }
    return ms;
  }

  private Expr parseOffset(Expr e) {
    Token kw = next();
    boolean negative = false;
    if (peek().type() == TokenType.SUB) {
      next();
      negative = true;
    }
    long off = parseDuration("offset", "duration");
    if (negative) {
      off = -off;
    }
    return switch (e) {
      case VectorSelector vs -> {
        checkOffsetUnset(e, vs.offsetMs());
        yield vs.withOffset(off);
      }
      case MatrixSelector ms -> {
        checkOffsetUnset(e, ms.selector().offsetMs());
        yield new MatrixSelector(ms.selector().withOffset(off), ms.rangeMs(), ms.pos());
      }
      case SubqueryExpr sq -> {
        checkOffsetUnset(e, sq.offsetMs());
        yield new SubqueryExpr(sq.expr(), sq.rangeMs(), sq.stepMs(), off, sq.at(), sq.pos());
      }
      default -> throw error(e.pos(), "offset modifier must be preceded by an instant vector selector "
          + "or range vector selector or a subquery");
    };
  }

  private void checkOffsetUnset(Expr e, long current) {
    if (current != 0) {
      throw error(e.pos(), "offset may not be set multiple times");
    }
  }

  private Expr parseAt(Expr e) {
    Token at = next();
    At value;
    Token t = peek();
    if (t.type() == TokenType.IDENTIFIER
        && (t.text().equals("start") || t.text().equals("end"))) {
      next();
      expect(TokenType.LEFT_PAREN, "@", "timestamp");
      expect(TokenType.RIGHT_PAREN, "@", "timestamp");
      value = new At(t.text().equals("start") ? At.Kind.START : At.Kind.END, 0);
    } else {
      double sign = 1;
      if (t.type() == TokenType.SUB || t.type() == TokenType.ADD) {
        sign = t.type() == TokenType.SUB ? -1 : 1;
        next();
      }
      Token n = expect(TokenType.NUMBER, "@", "timestamp");
      double secs = sign * number(n);
      if (Double.isNaN(secs) || Double.isInfinite(secs) || Math.abs(secs) >= 9.2e15) {
        throw error(e.pos(), "timestamp out of bounds for @ modifier: " + goFixed(secs));
      }
      value = new At(At.Kind.TIME, Math.round(secs * 1000));
    }
    return switch (e) {
      case VectorSelector vs -> {
        checkAtUnset(e, vs.at());
        yield vs.withAt(value);
      }
      case MatrixSelector ms -> {
        checkAtUnset(e, ms.selector().at());
        yield new MatrixSelector(ms.selector().withAt(value), ms.rangeMs(), ms.pos());
      }
      case SubqueryExpr sq -> {
        checkAtUnset(e, sq.at());
        yield new SubqueryExpr(sq.expr(), sq.rangeMs(), sq.stepMs(), sq.offsetMs(), value,
            sq.pos());
      }
      default -> throw error(e.pos(), "@ modifier must be preceded by an instant vector selector or "
          + "range vector selector or a subquery");
    };
  }

  /** Go's {@code %f}: six decimals, NaN, +Inf, -Inf. */
  private static String goFixed(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new java.math.BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString();
  }

  private void checkAtUnset(Expr e, At current) {
    if (current != null) {
      throw error(e.pos(), "@ <timestamp> may not be set multiple times");
    }
  }

  // ---- selectors ----

  private Expr parseSelector(String name, int pos) {
    return parseSelector(name, pos, false);
  }

  private VectorSelector parseSelector(String name, int pos, boolean allowEmpty) {
    List<Matcher> matchers = new ArrayList<>();
    if (peek().type() == TokenType.LEFT_BRACE) {
      parseMatchers(matchers);
    }
    if (name != null) {
      for (Matcher m : matchers) {
        if (m.name().equals(Labels.METRIC_NAME)) {
          throw error(pos, "metric name must not be set twice: \"" + name + "\" or \""
              + m.value() + "\"");
        }
      }
      matchers.add(Matcher.equal(Labels.METRIC_NAME, name));
    } else if (!allowEmpty && matchers.stream().allMatch(Matcher::matchesEmpty)) {
      throw error(pos, "vector selector must contain at least one non-empty matcher");
    }
    return new VectorSelector(name, matchers, 0, null, pos);
  }

  private void parseMatchers(List<Matcher> out) {
    next(); // {
    while (true) {
      Token t = peek();
      if (t.type() == TokenType.RIGHT_BRACE) {
        next();
        return;
      }
      if (t.type() != TokenType.IDENTIFIER) {
        throw unexpected(t, "label matching", "identifier or \"}\"");
      }
      next();
      Token op = next();
      Matcher.Type type = switch (op.type()) {
        case ASSIGN -> Matcher.Type.EQUAL;
        case NEQ -> Matcher.Type.NOT_EQUAL;
        case EQL_REGEX -> Matcher.Type.REGEX;
        case NEQ_REGEX -> Matcher.Type.NOT_REGEX;
        default -> throw unexpected(op, "label matching", "label matching operator");
      };
      Token v = peek();
      if (v.type() != TokenType.STRING) {
        throw unexpected(v, "label matching", "string");
      }
      next();
      try {
        out.add(Matcher.create(type, t.text(), v.text()));
      } catch (IllegalArgumentException e) {
        // RE2/J words its errors as Go's regexp does: "error parsing regexp: ...".
        throw error(t, e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
      }
      Token sep = peek();
      if (sep.type() == TokenType.COMMA) {
        next();
      } else if (sep.type() != TokenType.RIGHT_BRACE) {
        throw unexpected(sep, "label matching", "\",\" or \"}\"");
      }
    }
  }

  private List<String> parseLabelList(String context) {
    expect(TokenType.LEFT_PAREN, context, "\"(\"");
    List<String> out = new ArrayList<>();
    while (true) {
      Token t = peek();
      if (t.type() == TokenType.RIGHT_PAREN) {
        next();
        return out;
      }
      if (t.type() == TokenType.IDENTIFIER || t.type().isWord()) {
        next();
        out.add(t.text());
      } else {
        throw unexpected(t, context, "label");
      }
      Token sep = peek();
      if (sep.type() == TokenType.COMMA) {
        next();
      } else if (sep.type() != TokenType.RIGHT_PAREN) {
        throw unexpected(sep, context, "\",\" or \")\"");
      }
    }
  }

  // ---- calls and aggregations ----

  private List<Expr> parseArgs(String context) {
    expect(TokenType.LEFT_PAREN, context, "\"(\"");
    List<Expr> args = new ArrayList<>();
    if (peek().type() == TokenType.RIGHT_PAREN) {
      next();
      return args;
    }
    while (true) {
      args.add(parseExpr(1));
      Token sep = peek();
      if (sep.type() == TokenType.COMMA) {
        next();
        if (peek().type() == TokenType.RIGHT_PAREN) {
          throw error(sep, "trailing commas not allowed in function call args");
        }
      } else if (sep.type() == TokenType.RIGHT_PAREN) {
        next();
        return args;
      } else {
        throw unexpected(sep, context, "\",\" or \")\"");
      }
    }
  }

  private Expr parseCall(Token name) {
    // Prometheus checks the name when it reduces the call, after the arguments were parsed.
    List<Expr> args = parseArgs("function call");
    Function f = Function.lookup(name.text());
    if (f == null) {
      throw error(name, "unknown function with name \"" + name.text() + "\"");
    }
    int n = f.argTypes().size();
    String fn = "\"" + f.name() + "\"";
    if (f.variadic() == 0) {
      if (args.size() != n) {
        throw error(name, "expected " + n + " argument(s) in call to " + fn + ", got "
            + args.size());
      }
    } else {
      int min = n - 1;
      if (args.size() < min) {
        throw error(name, "expected at least " + min + " argument(s) in call to " + fn
            + ", got " + args.size());
      }
      if (f.variadic() > 0 && args.size() > min + f.variadic()) {
        throw error(name, "expected at most " + (min + f.variadic()) + " argument(s) in call to "
            + fn + ", got " + args.size());
      }
    }
    for (int k = 0; k < args.size(); k++) {
      ValueType want = f.argTypes().get(Math.min(k, n - 1));
      expectType(args.get(k), want, "call to function " + fn);
    }
    return new Call(f, args, name.pos());
  }

  private void expectType(Expr e, ValueType want, String context) {
    if (e.type() != want) {
      throw error(e.pos(), "expected type " + want.description() + " in " + context + ", got "
          + e.type().description());
    }
  }

  private Expr parseAggregate(Token op) {
    List<String> grouping = List.of();
    boolean without = false;
    boolean haveGrouping = false;
    if (peek().type() == TokenType.BY || peek().type() == TokenType.WITHOUT) {
      without = next().type() == TokenType.WITHOUT;
      grouping = parseLabelList("grouping opts");
      haveGrouping = true;
    }
    List<Expr> args = parseArgs("aggregation");
    if (!haveGrouping && (peek().type() == TokenType.BY || peek().type() == TokenType.WITHOUT)) {
      without = next().type() == TokenType.WITHOUT;
      grouping = parseLabelList("grouping opts");
    }
    TokenType t = op.type();
    boolean hasParam = t == TokenType.TOPK || t == TokenType.BOTTOMK || t == TokenType.QUANTILE
        || t == TokenType.COUNT_VALUES;
    int want = hasParam ? 2 : 1;
    if (args.isEmpty()) {
      throw error(op, "no arguments for aggregate expression provided");
    }
    if (args.size() != want) {
      throw error(op, "wrong number of arguments for aggregate expression provided, expected "
          + want + ", got " + args.size());
    }
    Expr param = hasParam ? args.get(0) : null;
    Expr expr = args.get(want - 1);
    expectType(expr, ValueType.VECTOR, "aggregation expression");
    if (param != null) {
      expectType(param, t == TokenType.COUNT_VALUES ? ValueType.STRING : ValueType.SCALAR,
          "aggregation parameter");
    }
    for (String l : grouping) {
      if (!l.equals(Labels.METRIC_NAME) && !isLabelName(l)) {
        throw error(op, "invalid label name for grouping: \"" + l + "\"");
      }
    }
    return new AggregateExpr(t, expr, param, grouping, without, op.pos());
  }

  /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, checked without a regex (grouping labels are checked per parse). */
  static boolean isLabelName(String l) {
    if (l.isEmpty()) {
      return false;
    }
    for (int i = 0; i < l.length(); i++) {
      char c = l.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }
}
