package syslens.query.parser;

/** PromQL token kinds, as in Prometheus' lexer. */
public enum TokenType {
  EOF(null),
  IDENTIFIER(null),
  METRIC_IDENTIFIER(null),
  NUMBER(null),
  STRING(null),
  DURATION(null),
  LEFT_PAREN("("),
  RIGHT_PAREN(")"),
  LEFT_BRACE("{"),
  RIGHT_BRACE("}"),
  LEFT_BRACKET("["),
  RIGHT_BRACKET("]"),
  COMMA(","),
  COLON(":"),
  AT("@"),
  ASSIGN("="),
  // operators
  EQL("==", Kind.OPERATOR),
  NEQ("!=", Kind.OPERATOR),
  EQL_REGEX("=~", Kind.OPERATOR),
  NEQ_REGEX("!~", Kind.OPERATOR),
  LSS("<", Kind.OPERATOR),
  LTE("<=", Kind.OPERATOR),
  GTR(">", Kind.OPERATOR),
  GTE(">=", Kind.OPERATOR),
  ADD("+", Kind.OPERATOR),
  SUB("-", Kind.OPERATOR),
  MUL("*", Kind.OPERATOR),
  DIV("/", Kind.OPERATOR),
  MOD("%", Kind.OPERATOR),
  POW("^", Kind.OPERATOR),
  LAND("and", Kind.OPERATOR),
  LOR("or", Kind.OPERATOR),
  LUNLESS("unless", Kind.OPERATOR),
  ATAN2("atan2", Kind.OPERATOR),
  // aggregators
  SUM("sum", Kind.AGGREGATOR),
  AVG("avg", Kind.AGGREGATOR),
  COUNT("count", Kind.AGGREGATOR),
  MIN("min", Kind.AGGREGATOR),
  MAX("max", Kind.AGGREGATOR),
  GROUP("group", Kind.AGGREGATOR),
  STDDEV("stddev", Kind.AGGREGATOR),
  STDVAR("stdvar", Kind.AGGREGATOR),
  TOPK("topk", Kind.AGGREGATOR),
  BOTTOMK("bottomk", Kind.AGGREGATOR),
  COUNT_VALUES("count_values", Kind.AGGREGATOR),
  QUANTILE("quantile", Kind.AGGREGATOR),
  // keywords
  OFFSET("offset", Kind.KEYWORD),
  BY("by", Kind.KEYWORD),
  WITHOUT("without", Kind.KEYWORD),
  ON("on", Kind.KEYWORD),
  IGNORING("ignoring", Kind.KEYWORD),
  GROUP_LEFT("group_left", Kind.KEYWORD),
  GROUP_RIGHT("group_right", Kind.KEYWORD),
  BOOL("bool", Kind.KEYWORD);

  enum Kind { OTHER, OPERATOR, AGGREGATOR, KEYWORD }

  private final String text;
  private final Kind kind;

  TokenType(String text) {
    this(text, Kind.OTHER);
  }

  TokenType(String text, Kind kind) {
    this.text = text;
    this.kind = kind;
  }

  /** The fixed text of this token, or null for tokens with variable text. */
  public String text() {
    return text;
  }

  public boolean isOperator() {
    return kind == Kind.OPERATOR;
  }

  public boolean isAggregator() {
    return kind == Kind.AGGREGATOR;
  }

  public boolean isKeyword() {
    return kind == Kind.KEYWORD;
  }

  /** Word tokens: keywords, aggregators and word operators, which may also be label names. */
  public boolean isWord() {
    return text != null && Character.isLetter(text.charAt(0));
  }

  public boolean isComparison() {
    return this == EQL || this == NEQ || this == LSS || this == LTE || this == GTR || this == GTE;
  }

  public boolean isSetOperator() {
    return this == LAND || this == LOR || this == LUNLESS;
  }

  /** Binary operator precedence, higher binds tighter; 0 when not a binary operator. */
  public int precedence() {
    return switch (this) {
      case LOR -> 1;
      case LAND, LUNLESS -> 2;
      case EQL, NEQ, LTE, LSS, GTE, GTR -> 3;
      case ADD, SUB -> 4;
      case MUL, DIV, MOD, ATAN2 -> 5;
      case POW -> 6;
      default -> 0;
    };
  }

  public boolean isRightAssociative() {
    return this == POW;
  }

  /** Prometheus' description of a token kind in error messages. */
  String describe() {
    return switch (this) {
      case EOF -> "end of input";
      case IDENTIFIER -> "identifier";
      case METRIC_IDENTIFIER -> "metric identifier";
      case NUMBER -> "number";
      case STRING -> "string";
      case DURATION -> "duration";
      default -> '"' + text + '"';
    };
  }
}
