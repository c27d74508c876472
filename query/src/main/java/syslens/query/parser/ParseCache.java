package syslens.query.parser;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import syslens.query.QueryException;
import syslens.storage.Matcher;

/**
 * A bounded memory of parsed queries, by text and by {@link QueryShape shape}. Dashboards and
 * Grafana send the same few queries at every refresh, and one panel per host differs only in the
 * values of its {@code =} / {@code !=} matchers: a query of a known shape gets the known tree with
 * those values put in, without lexing or parsing it again (the parse of a new text on a JVM that
 * has not compiled the parser yet costs more than evaluating a one-host panel).
 *
 * <p>The result is the tree {@link Parser#parse} gives for the text, except for the offsets
 * ({@link Expr#pos()}) of nodes after a value whose length differs, which nothing evaluates. A
 * shape is remembered only when its masked literals are exactly the values of its equality
 * matchers, in the order of the text (so none of them is anything else, such as a comment); a
 * text with a comment, or whose new value is empty (a selector may then have no non-empty
 * matcher) or does not lex as one string, is parsed in full. Trees are immutable: one serves
 * concurrent queries. Only texts of at most {@code maxLength} chars; beyond {@code maxEntries}
 * texts (or shapes) the memory starts afresh.
 */
public final class ParseCache {
  private final int maxEntries;
  private final int maxLength;
  private final Map<String, Expr> byText = new ConcurrentHashMap<>();
  private final Map<String, Template> byShape = new ConcurrentHashMap<>();
  private final LongAdder shapeHits = new LongAdder();

  /**
   * A parsed query whose masked literals are the values of {@code slots}: the matcher at
   * {@code matcher} of the selector at {@code selector} in {@code selectors} (sorted by offset).
   */
  private record Template(Expr expr, List<Expr.VectorSelector> selectors, int[] selector, int[] matcher) {}

  private ParseCache(int maxEntries, int maxLength) {
    this.maxEntries = maxEntries;
    this.maxLength = maxLength;
  }

  /** A cache of at most {@code maxEntries} texts and shapes, each of at most {@code maxLength} chars. */
  public static ParseCache create(int maxEntries, int maxLength) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
    if (maxLength < 0) {
      throw new IllegalArgumentException("maxLength: " + maxLength + " (expected: >= 0)");
    }
    return new ParseCache(maxEntries, maxLength);
  }

  /**
   * The parsed query, as {@link Parser#parse} gives it.
   *
   * @throws QueryException BAD_DATA on a syntax or type error (never remembered)
   */
  public Expr parse(String query) {
    Expr known = byText.get(query);
    if (known != null) {
      return known;
    }
    if (query.length() > maxLength) {
      return Parser.parse(query);
    }
    QueryShape shape = query.indexOf('#') >= 0 ? null : QueryShape.of(query);
    Expr e = null;
    if (shape != null && !shape.literals().isEmpty()) {
      Template t = byShape.get(shape.text());
      if (t != null) {
        e = bind(t, shape.literals());
        if (e != null) {
          shapeHits.increment();
        }
      }
    }
    if (e == null) {
      e = Parser.parse(query);
      if (shape != null && !shape.literals().isEmpty()) {
        Template t = template(e, shape.literals());
        if (t != null) {
          remember(byShape, shape.text(), t);
        }
      }
    }
    remember(byText, query, e);
    return e;
  }

  /** Queries answered by putting their values into a known shape's tree (not parsed). */
  long shapeHits() {
    return shapeHits.sum();
  }

  private <V> void remember(Map<String, V> m, String key, V value) {
    if (m.size() >= maxEntries) {
      m.clear();
    }
    m.put(key, value);
  }

  /** The decoded value of a string literal as written, or null when it is not exactly one string. */
  static String decode(String literal) {
    Lexer.Lexed l = Lexer.lexUntilError(literal);
    if (l.error() != null || l.tokens().size() != 2 || l.tokens().get(0).type() != TokenType.STRING) {
      return null;
    }
    return l.tokens().get(0).text();
  }

  /**
   * The template of a freshly parsed tree, when its masked literals are, in order, the values of
   * its {@code =} / {@code !=} matchers written as strings; else null.
   */
  private static Template template(Expr e, List<String> literals) {
    List<Expr.VectorSelector> selectors = new ArrayList<>();
    collect(e, selectors);
    selectors.sort(Comparator.comparingInt(Expr.VectorSelector::pos));
    int n = literals.size();
    int[] selector = new int[n];
    int[] matcher = new int[n];
    int k = 0;
    for (int s = 0; s < selectors.size(); s++) {
      Expr.VectorSelector vs = selectors.get(s);
      // A metric name given as an identifier is the last matcher, not written as a string.
      int written = vs.matchers().size() - (vs.name() != null ? 1 : 0);
      for (int m = 0; m < written; m++) {
        Matcher.Type type = vs.matchers().get(m).type();
        if (type != Matcher.Type.EQUAL && type != Matcher.Type.NOT_EQUAL) {
          continue;
        }
        if (k == n || !vs.matchers().get(m).value().equals(decode(literals.get(k)))) {
          return null;
        }
        selector[k] = s;
        matcher[k] = m;
        k++;
      }
    }
    return k == n ? new Template(e, List.copyOf(selectors), selector, matcher) : null;
  }

  /** The template's tree with the masked literals' values put in, or null to parse in full. */
  private static Expr bind(Template t, List<String> literals) {
    if (literals.size() != t.selector().length) {
      return null;
    }
    List<List<Matcher>> matchers = new ArrayList<>(t.selectors().size());
    for (Expr.VectorSelector vs : t.selectors()) {
      matchers.add(null);
    }
    for (int k = 0; k < literals.size(); k++) {
      String v = decode(literals.get(k));
      if (v == null || v.isEmpty()) {
        return null;
      }
      int s = t.selector()[k];
      List<Matcher> ms = matchers.get(s);
      if (ms == null) {
        ms = new ArrayList<>(t.selectors().get(s).matchers());
        matchers.set(s, ms);
      }
      Matcher old = ms.get(t.matcher()[k]);
      if (!old.value().equals(v)) {
        ms.set(t.matcher()[k], Matcher.create(old.type(), old.name(), v));
      }
    }
    Map<Expr.VectorSelector, Expr.VectorSelector> replaced = new IdentityHashMap<>();
    for (int s = 0; s < t.selectors().size(); s++) {
      List<Matcher> ms = matchers.get(s);
      if (ms != null) {
        Expr.VectorSelector old = t.selectors().get(s);
        replaced.put(old, new Expr.VectorSelector(old.name(), ms, old.offsetMs(), old.at(), old.pos()));
      }
    }
    return replaced.isEmpty() ? t.expr() : replace(t.expr(), replaced);
  }

  private static void collect(Expr e, List<Expr.VectorSelector> out) {
    if (e instanceof Expr.VectorSelector vs) {
      out.add(vs);
      return;
    }
    for (Expr c : Exprs.children(e)) {
      collect(c, out);
    }
  }

  /** {@code e} with the selectors in {@code by} replaced (the parser bounds the depth). */
  private static Expr replace(Expr e, Map<Expr.VectorSelector, Expr.VectorSelector> by) {
    return switch (e) {
      case Expr.VectorSelector v -> by.getOrDefault(v, v);
      case Expr.MatrixSelector m -> new Expr.MatrixSelector((Expr.VectorSelector) replace(m.selector(), by),
          m.rangeMs(), m.pos());
      case Expr.SubqueryExpr s -> new Expr.SubqueryExpr(replace(s.expr(), by), s.rangeMs(), s.stepMs(),
          s.offsetMs(), s.at(), s.pos());
      case Expr.Call c -> new Expr.Call(c.function(), c.args().stream().map(a -> replace(a, by)).toList(), c.pos());
      case Expr.AggregateExpr a -> new Expr.AggregateExpr(a.op(), replace(a.expr(), by),
          a.param() == null ? null : replace(a.param(), by), a.grouping(), a.without(), a.pos());
      case Expr.BinaryExpr b -> new Expr.BinaryExpr(b.op(), replace(b.lhs(), by), replace(b.rhs(), by),
          b.matching(), b.returnBool());
      case Expr.UnaryExpr u -> new Expr.UnaryExpr(u.op(), replace(u.expr(), by), u.pos());
      case Expr.ParenExpr p -> new Expr.ParenExpr(replace(p.expr(), by), p.pos());
      case Expr.NumberLiteral n -> n;
      case Expr.StringLiteral s -> s;
    };
  }
}
