package syslens.query.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import syslens.query.QueryException;

class ParseCacheTest {
  private static final Path TESTDATA = Path.of(System.getProperty("promql.testdata", "../../shared/promql-testdata"));
  private static final Pattern EVAL = Pattern.compile("^\\s*eval(?:_fail|_ordered)?\\s+instant\\s+at\\s+\\S+\\s+(.+)$");

  /** The tree as text, without node offsets (a bound tree keeps its template's offsets). */
  private static String tree(Expr e) {
    return e.toString().replaceAll(", pos=-?\\d+", "");
  }

  /** What Parser.parse gives: the tree, or the error's message. */
  private static String parsed(String q) {
    try {
      return tree(Parser.parse(q));
    } catch (QueryException e) {
      return "error: " + e.getMessage();
    }
  }

  private static String cached(ParseCache c, String q) {
    try {
      return tree(c.parse(q));
    } catch (QueryException e) {
      return "error: " + e.getMessage();
    }
  }

  /** {@code q} with every masked literal's value changed (and lengthened), quotes kept. */
  private static String otherValues(String q, String insert) {
    QueryShape s = QueryShape.of(q);
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (String lit : s.literals()) {
      int at = q.indexOf(lit, from);
      out.append(q, from, at + 1).append(insert).append(lit, 1, lit.length());
      from = at + lit.length();
    }
    return out.append(q.substring(from)).toString();
  }

  @Test
  void parse_panelForAnotherHost_bindsTheKnownTree() {
    ParseCache c = ParseCache.create(16, 1024);
    String panel = "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\",instance=\"%s\"}[5m])))";
    Expr first = c.parse(panel.formatted("host-00001"));
    Expr second = c.parse(panel.formatted("host-2"));

    assertThat(c.shapeHits()).isEqualTo(1);
    assertThat(tree(second)).isEqualTo(parsed(panel.formatted("host-2")));
    // The number literal of the template is reused: nothing was parsed again.
    assertThat(((Expr.BinaryExpr) second).lhs()).isSameAs(((Expr.BinaryExpr) first).lhs());
  }

  @Test
  void parse_manyShapesAndValues_sameTreeAsTheParser() {
    List<String> shapes = List.of(
        "up{instance=\"%s\"}",
        "up{instance!=\"%s\", job=\"%s\"}",
        "{__name__=\"%s\", instance='%s'}",
        "rate(x{a=`%s`}[5m] offset 1m @ 100)",
        "topk(scalar(a{x=\"%s\"}), b{y=\"%s\"})",
        "count_values(\"v\", a{x=\"%s\"}) + on(x) group_left b{x=~\"a|b\", y = \"%s\"}",
        "max_over_time(avg by (i) (rate(c{m=\"%s\"}[1m]))[10m:1m])",
        "label_replace(up{i=\"%s\"}, \"dst\", \"$1\", \"src\", \"(.*)\")",
        "1 - m{i=\"%s\"} / n{i=\"%s\"}",
        "-a{i=\"%s\"} > bool 3");
    List<String> values = List.of("host-1", "h", "a\\\"b", "x y", "\\u00e9t\\u00e9", "日本", "1", "host-00000");
    ParseCache c = ParseCache.create(1024, 1024);
    java.util.Set<String> texts = new java.util.HashSet<>();
    for (String shape : shapes) {
      for (String v : values) {
        for (String w : values) {
          String q = shape.replaceFirst("%s", java.util.regex.Matcher.quoteReplacement(v)).replace("%s", w);
          assertThat(cached(c, q)).as(q).isEqualTo(parsed(q));
          if (!parsed(q).startsWith("error:")) {
            texts.add(q);
          }
        }
      }
    }
    // Every new text that parses but each shape's first was bound, not parsed.
    assertThat(c.shapeHits()).isEqualTo(texts.size() - shapes.size());
  }

  @Test
  void parse_valuesTheTemplateCannotTake_parsedInFull() {
    ParseCache c = ParseCache.create(16, 1024);
    c.parse("{instance=\"a\"}");
    // An empty value: the selector has no non-empty matcher left.
    assertThatThrownBy(() -> c.parse("{instance=\"\"}"))
        .isInstanceOf(QueryException.class).hasMessageContaining("at least one non-empty matcher");
    // A value that does not lex: the parser's error.
    assertThat(cached(c, "{instance=\"\\q\"}")).isEqualTo(parsed("{instance=\"\\q\"}")).startsWith("error:");
    // A comment: parsed in full, never bound.
    c.parse("up{a=\"1\"} # b=\"2\"");
    assertThat(cached(c, "up{a=\"3\"} # b=\"4\"")).isEqualTo(parsed("up{a=\"3\"} # b=\"4\""));
    assertThat(c.shapeHits()).isZero();
  }

  @Test
  void parse_errors_notRemembered() {
    ParseCache c = ParseCache.create(16, 1024);
    assertThatThrownBy(() -> c.parse("up{a=\"1\"")).isInstanceOf(QueryException.class);
    assertThatThrownBy(() -> c.parse("up{a=\"1\"")).isInstanceOf(QueryException.class);
    assertThatThrownBy(() -> c.parse("up{a=\"2\"} == \"x\"")).isInstanceOf(QueryException.class);
  }

  /**
   * Every query of Prometheus' test scripts, parsed through a cache that first saw the same query
   * with other matcher values (and the other way round): the same tree or error as the parser.
   */
  @Test
  void parse_promqlTestdataWithOtherValues_sameAsTheParser() throws IOException {
    List<String> queries = new ArrayList<>();
    try (Stream<Path> files = Files.list(TESTDATA)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".test")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          java.util.regex.Matcher m = EVAL.matcher(line);
          if (m.matches()) {
            queries.add(m.group(1).trim());
          }
        }
      }
    }
    assertThat(queries).hasSizeGreaterThan(300);
    ParseCache c = ParseCache.create(4096, 4096);
    long withValues = 0;
    for (String q : queries) {
      String other = otherValues(q, "zq");
      cached(c, other);
      assertThat(cached(c, q)).as(q).isEqualTo(parsed(q));
      ParseCache d = ParseCache.create(4, 4096);
      cached(d, q);
      assertThat(cached(d, other)).as(other).isEqualTo(parsed(other));
      withValues += QueryShape.of(q).literals().isEmpty() ? 0 : 1;
    }
    assertThat(withValues).isGreaterThan(50);
    assertThat(c.shapeHits()).isGreaterThan(withValues / 2);
  }
}
