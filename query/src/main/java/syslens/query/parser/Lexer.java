package syslens.query.parser;

import syslens.query.QueryException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a PromQL query into tokens, following Prometheus' lexer: keywords are case-insensitive,
 * identifiers inside braces are label names, numbers may be hex/octal/float/Inf/NaN, durations
 * are unit sequences like {@code 1h30m}, strings use ', " (with Go escapes) or ` (raw).
 */
public final class Lexer {
  private static final Map<String, TokenType> WORDS = new HashMap<>();

  static {
    for (TokenType t : TokenType.values()) {
      if (t.isWord()) {
        WORDS.put(t.text(), t);
      }
    }
  }

  private final String in;
  private final List<Token> out = new ArrayList<>();
  private int pos;
  private int parenDepth;
  private boolean insideBraces;
  private int braceOpenPos;
  private int bracketDepth;
  private boolean gotColon;

  private Lexer(String in) {
    this.in = in;
  }

  /** All tokens of {@code query}, ending with an EOF token. */
  public static List<Token> lex(String query) {
    Lexer l = new Lexer(query);
    l.run();
    return l.out;
  }

  /** Tokens up to the first lexical error (then an EOF token), and that error or null. */
  record Lexed(List<Token> tokens, QueryException error) {}

  /**
   * Lexes like Prometheus' lazy lexer is seen by its parser: a syntax error before a lexical
   * error is reported first.
   */
  static Lexed lexUntilError(String query) {
    Lexer l = new Lexer(query);
    try {
      l.run();
      return new Lexed(l.out, null);
    } catch (QueryException e) {
      l.out.add(new Token(TokenType.EOF, "", l.pos));
      return new Lexed(l.out, e);
    }
  }

  private void run() {
    while (true) {
      skipSpaceAndComments();
      if (pos >= in.length()) {
        if (insideBraces) {
          throw ParseErrors.at(in, pos, "unexpected end of input inside braces");
        }
        if (parenDepth > 0) {
          throw ParseErrors.at(in, pos, "unclosed left parenthesis");
        }
        if (bracketDepth > 0) {
          throw ParseErrors.at(in, pos, "unclosed left bracket");
        }
        out.add(new Token(TokenType.EOF, "", pos));
        return;
      }
      lexOne();
    }
  }

  private void skipSpaceAndComments() {
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else if (c == '#') {
        while (pos < in.length() && in.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private char peek(int ahead) {
    int i = pos + ahead;
    return i < in.length() ? in.charAt(i) : '\0';
  }

  private void emit(TokenType t, int start) {
    out.add(new Token(t, in.substring(start, pos), start));
  }

  private void lexOne() {
    if (insideBraces) {
      lexInsideBraces();
      return;
    }
    int start = pos;
    char c = in.charAt(pos);
    switch (c) {
      case '(' -> {
        pos++;
        parenDepth++;
        emit(TokenType.LEFT_PAREN, start);
      }
      case ')' -> {
        if (parenDepth == 0) {
          throw ParseErrors.at(in, start + 1, "unexpected right parenthesis ')'");
        }
        pos++;
        parenDepth--;
        emit(TokenType.RIGHT_PAREN, start);
      }
      case '{' -> {
        pos++;
        insideBraces = true;
        braceOpenPos = start;
        emit(TokenType.LEFT_BRACE, start);
      }
      case '}' -> throw ParseErrors.at(in, start, "unexpected character: '}'");
      case '[' -> {
        if (bracketDepth > 0) {
          throw ParseErrors.at(in, start, "unexpected left bracket '['");
        }
        pos++;
        bracketDepth++;
        gotColon = false;
        emit(TokenType.LEFT_BRACKET, start);
        lexDuration();
      }
      case ']' -> {
        if (bracketDepth == 0) {
          throw ParseErrors.at(in, start, "unexpected right bracket ']'");
        }
        pos++;
        bracketDepth--;
        emit(TokenType.RIGHT_BRACKET, start);
      }
      case ',' -> single(TokenType.COMMA);
      case ':' -> {
        if (bracketDepth > 0 && gotColon) {
          throw ParseErrors.at(in, start, "unexpected colon ':'");
        }
        if (bracketDepth > 0) {
          gotColon = true;
          single(TokenType.COLON);
        } else {
          lexIdentifier();
        }
      }
      case '@' -> single(TokenType.AT);
      case '+' -> single(TokenType.ADD);
      case '-' -> single(TokenType.SUB);
      case '*' -> single(TokenType.MUL);
      case '/' -> single(TokenType.DIV);
      case '%' -> single(TokenType.MOD);
      case '^' -> single(TokenType.POW);
      case '=' -> {
        char n = peek(1);
        if (n == '=') {
          pos += 2;
          emit(TokenType.EQL, start);
        } else if (n == '~') {
          throw ParseErrors.at(in, start, "unexpected character after '=': '~'");
        } else {
          single(TokenType.ASSIGN);
        }
      }
      case '!' -> {
        char n = peek(1);
        if (n == '=') {
          pos += 2;
          emit(TokenType.NEQ, start);
        } else {
          throw ParseErrors.at(in, start, "unexpected character after '!': " + quoteChar(n));
        }
      }
      case '<' -> twoOrOne('=', TokenType.LTE, TokenType.LSS);
      case '>' -> twoOrOne('=', TokenType.GTE, TokenType.GTR);
      case '"', '\'' -> lexString(c);
      case '`' -> lexRawString();
      default -> {
        if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
          lexNumberOrDuration();
        } else if (isAlpha(c)) {
          lexIdentifier();
        } else {
          throw ParseErrors.at(in, start, "unexpected character: " + quoteChar(c));
        }
      }
    }
  }

  /** Prometheus' lexInsideBraces: label names, match operators, strings, commas only. */
  private void lexInsideBraces() {
    int start = pos;
    char c = in.charAt(pos);
    switch (c) {
      case ',' -> single(TokenType.COMMA);
      case '"', '\'' -> lexString(c);
      case '`' -> lexRawString();
      case '=' -> {
        if (peek(1) == '~') {
          pos += 2;
          emit(TokenType.EQL_REGEX, start);
        } else {
          single(TokenType.ASSIGN);
        }
      }
      case '!' -> {
        char n = peek(1);
        if (n == '~' || n == '=') {
          pos += 2;
          emit(n == '~' ? TokenType.NEQ_REGEX : TokenType.NEQ, start);
        } else {
          throw ParseErrors.at(in, start, "unexpected character after '!' inside braces: " + quoteChar(n));
        }
      }
      case '{' -> throw ParseErrors.at(in, start, "unexpected left brace '{'");
      case '}' -> {
        pos++;
        insideBraces = false;
        emit(TokenType.RIGHT_BRACE, start);
      }
      default -> {
        if (isAlpha(c)) {
          lexIdentifier();
        } else {
          throw ParseErrors.at(in, start, "unexpected character inside braces: " + quoteChar(c));
        }
      }
    }
  }

  /**
   * Prometheus' lexDuration, right after '[' (and spaces): a number without a unit is "missing
   * unit character in duration", anything else not a duration is "bad duration syntax".
   */
  private void lexDuration() {
    skipSpaceAndComments();
    int start = pos;
    if (scanNumber()) {
      throw ParseErrors.at(in, start, "missing unit character in duration");
    }
    if (!acceptRemainingDuration()) {
      throw ParseErrors.at(in, start, "bad duration syntax: \"" + in.substring(start, Math.min(pos, in.length())) + "\"");
    }
    emit(TokenType.DURATION, start);
  }

  /** Prometheus 2.42's scanNumber: true when a number (maybe empty) is not followed by a letter or digit. */
  private boolean scanNumber() {
    String digits = "0123456789";
    if (peek(0) == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      pos += 2;
      digits = "0123456789abcdefABCDEF";
    }
    acceptRun(digits);
    if (peek(0) == '.') {
      pos++;
      acceptRun(digits);
    }
    if (peek(0) == 'e' || peek(0) == 'E') {
      pos++;
      if (peek(0) == '+' || peek(0) == '-') {
        pos++;
      }
      acceptRun("0123456789");
    }
    return !isAlphaNumeric(peek(0));
  }

  /**
   * Prometheus 2.42's acceptRemainingDuration: units after the digits already read, leaving
   * {@code pos} after the first character that does not fit (as Go's lexer does on failure) or at
   * the end of the duration on success.
   */
  private boolean acceptRemainingDuration() {
    if (!accept("smhdwy")) {
      return false;
    }
    accept("s");
    while (accept("0123456789")) {
      acceptRun("0123456789");
      if (!accept("smhdw")) {
        return false;
      }
      accept("s");
    }
    if (isAlphaNumeric(peek(0))) {
      pos++;
      return false;
    }
    return true;
  }

  private boolean accept(String chars) {
    if (pos < in.length() && chars.indexOf(in.charAt(pos)) >= 0) {
      pos++;
      return true;
    }
    return false;
  }

  private void single(TokenType t) {
    int start = pos++;
    emit(t, start);
  }

  private void twoOrOne(char second, TokenType two, TokenType one) {
    int start = pos;
    if (peek(1) == second) {
      pos += 2;
      emit(two, start);
    } else {
      pos++;
      emit(one, start);
    }
  }

  private void lexIdentifier() {
    int start = pos;
    boolean colon = false;
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (isAlpha(c) || isDigit(c) || (c == ':' && !insideBraces)) {
        colon |= c == ':';
        pos++;
      } else {
        break;
      }
    }
    String word = in.substring(start, pos);
    if (insideBraces) {
      emit(TokenType.IDENTIFIER, start);
      return;
    }
    String lower = word.toLowerCase(Locale.ROOT);
    TokenType kw = WORDS.get(lower);
    if (kw != null) {
      emit(kw, start);
    } else if (lower.equals("inf") || lower.equals("nan")) {
      emit(TokenType.NUMBER, start);
    } else {
      emit(colon ? TokenType.METRIC_IDENTIFIER : TokenType.IDENTIFIER, start);
    }
  }

  /** Prometheus 2.42's lexNumberOrDuration. */
  private void lexNumberOrDuration() {
    int start = pos;
    if (scanNumber()) {
      emit(TokenType.NUMBER, start);
    } else if (acceptRemainingDuration()) {
      emit(TokenType.DURATION, start);
    } else {
      throw ParseErrors.at(in, start, "bad number or duration syntax: \""
          + in.substring(start, Math.min(pos, in.length())) + "\"");
    }
  }

  private char charAt(int i) {
    return i < in.length() ? in.charAt(i) : '\0';
  }

  private void acceptRun(String chars) {
    while (pos < in.length() && chars.indexOf(in.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private void lexString(char quote) {
    int start = pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= in.length() || in.charAt(pos) == '\n') {
        throw ParseErrors.at(in, start, "unterminated quoted string");
      }
      char c = in.charAt(pos++);
      if (c == quote) {
        break;
      }
      if (c == '\\') {
        escape(quote, sb, start);
      } else {
        sb.append(c);
      }
    }
    out.add(new Token(TokenType.STRING, sb.toString(), start, in.substring(start, pos)));
  }

  private void escape(char quote, StringBuilder sb, int start) {
    if (pos >= in.length()) {
      throw ParseErrors.at(in, start, "escape sequence not terminated");
    }
    int escPos = start;
    char c = in.charAt(pos++);
    int n;
    int base;
    int max;
    switch (c) {
      case 'a' -> { sb.append('\u0007'); return; }
      case 'b' -> { sb.append('\b'); return; }
      case 'f' -> { sb.append('\f'); return; }
      case 'n' -> { sb.append('\n'); return; }
      case 'r' -> { sb.append('\r'); return; }
      case 't' -> { sb.append('\t'); return; }
      case 'v' -> { sb.append('\u000b'); return; }
      case '\\' -> { sb.append('\\'); return; }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        pos--;
        n = 3;
        base = 8;
        max = 255;
      }
      case 'x' -> { n = 2; base = 16; max = 255; }
      case 'u' -> { n = 4; base = 16; max = Character.MAX_CODE_POINT; }
      case 'U' -> { n = 8; base = 16; max = Character.MAX_CODE_POINT; }
      default -> {
        if (c == quote) {
          sb.append(c);
          return;
        }
        throw ParseErrors.at(in, escPos, "unknown escape sequence " + goRune(c));
      }
    }
    int x = 0;
    for (int i = 0; i < n; i++) {
      if (pos >= in.length()) {
        throw ParseErrors.at(in, escPos, "escape sequence not terminated");
      }
      int d = Character.digit(in.charAt(pos), base);
      if (d < 0 || in.charAt(pos) > 'f') {
        throw ParseErrors.at(in, escPos, "illegal character " + goRune(in.charAt(pos)) + " in escape sequence");
      }
      x = x * base + d;
      pos++;
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
      throw ParseErrors.at(in, escPos, "escape sequence is an invalid Unicode code point");
    }
    if (base == 8 || c == 'x') {
      // Go strings are bytes; \xNN and octal escapes above 0x7f are taken as Latin-1 here.
      sb.append((char) x);
    } else {
      sb.appendCodePoint(x);
    }
  }

  private void lexRawString() {
    int start = pos++;
    int end = in.indexOf('`', pos);
    if (end < 0) {
      throw ParseErrors.at(in, start, "unterminated raw string");
    }
    String s = in.substring(pos, end);
    pos = end + 1;
    out.add(new Token(TokenType.STRING, s, start, in.substring(start, pos)));
  }

  /** Go's %#U: {@code U+0071 'q'}, or just {@code U+000A} when not printable. */
  private static String goRune(char c) {
    String u = String.format("U+%04X", (int) c);
    return c < 0x20 || c == 0x7f || Character.isISOControl(c) ? u : u + " '" + c + "'";
  }

  private static String quoteChar(char c) {
    return c == '\0' ? "EOF" : "'" + c + "'";
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlphaNumeric(char c) {
    return isAlpha(c) || isDigit(c);
  }
}
