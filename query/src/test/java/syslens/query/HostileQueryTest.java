package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

/** Malformed and hostile queries: a clear error, quickly, never a crash or unbounded memory. */
class HostileQueryTest {
  private MemoryQueryable db;
  private Engine engine;

  @BeforeEach
  void setUp() {
    db = MemoryQueryable.create();
    for (int i = 0; i < 100; i++) {
      for (int t = 0; t <= 60; t++) {
        db.add(Labels.of("__name__", "x", "job", "j" + i, "path", "/a/b/c/" + i), t * 10_000L, t);
      }
    }
    engine = Engine.builder(db).build();
  }

  private static void assertKind(Runnable r, QueryException.Kind kind, String message) {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThatThrownBy(r::run).isInstanceOf(QueryException.class)
            .hasMessageContaining(message)
            .satisfies(e -> assertThat(((QueryException) e).kind()).isEqualTo(kind)));
  }

  @Test
  void nestedParentheses_refusedNamingTheLimit() {
    String q = "(".repeat(10_000) + "x" + ")".repeat(10_000);
    assertKind(() -> engine.instantQuery(q, 0), QueryException.Kind.BAD_DATA,
        "expression nesting depth exceeds the limit of 256");
    String unary = "-".repeat(5_000) + "1";
    assertKind(() -> engine.instantQuery(unary, 0), QueryException.Kind.BAD_DATA,
        "limit of 256");
    String calls = "abs(".repeat(3_000) + "x" + ")".repeat(3_000);
    assertKind(() -> engine.instantQuery(calls, 0), QueryException.Kind.BAD_DATA,
        "limit of 256");
    // A long left-associative chain is a deep tree too.
    String chain = "x" + " + x".repeat(5_000);
    assertKind(() -> engine.instantQuery(chain, 0), QueryException.Kind.BAD_DATA,
        "limit of 256");
    assertThat(engine.instantQuery("(".repeat(100) + "1" + ")".repeat(100), 0))
        .isEqualTo(new Scalar(0, 1));
  }

  @Test
  void labelReplace_manyReferencesRefusedByTheByteBudget() {
    String repl = "$1".repeat(2_000);
    String inner = "label_replace(x, \"a\", \"" + repl + "\", \"path\", \"(.*)\")";
    String q = "label_replace(" + inner + ", \"b\", \"" + repl + "\", \"a\", \"(.*)\")";
    assertKind(() -> engine.instantQuery(q, 600_000), QueryException.Kind.EXECUTION,
        "the new label value would be");
    // One level fits (100 series x 2,000 x 8 chars), unless the byte budget is smaller.
    String one = "label_replace(x, \"a\", \"" + "$1".repeat(20) + "\", \"job\", \"(.*)\")";
    String two = "label_replace(" + one + ", \"b\", \"" + "$1".repeat(20) + "\", \"a\", \"(.*)\")";
    assertThat(((InstantVector) engine.instantQuery(inner, 600_000)).samples()).hasSize(100);
    assertThat(((InstantVector) engine.instantQuery(two, 600_000)).samples()).hasSize(100);
    Engine small = Engine.builder(db).maxLabelBytes(100_000).build();
    assertKind(() -> small.instantQuery(two, 600_000), QueryException.Kind.EXECUTION,
        "too much memory for labels (more than 100000 bytes)");
  }

  @Test
  void labelReplace_catastrophicRegexRunsInLinearTime() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      Value v = engine.instantQuery(
          "label_replace(x, \"a\", \"$1\", \"path\", \"(.*){15}z\")", 600_000);
      assertThat(((InstantVector) v).samples()).hasSize(100)
          .allMatch(s -> s.labels().get("a").isEmpty());
    });
    assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThat(((InstantVector) engine.instantQuery("x{path=~\"(.*){15}z\"}", 600_000))
            .samples()).isEmpty());
  }

  @Test
  void hugeRanges_boundedBySamplesAndPoints() {
    assertThat(((InstantVector) engine.instantQuery("count_over_time(x[10y])", 600_000))
        .samples()).hasSize(100).allMatch(s -> s.value() == 61);
    // Series are read one at a time: one series' window (61 samples) must not fit.
    Engine small = Engine.builder(db).maxSamples(60).build();
    assertKind(() -> small.instantQuery("count_over_time(x[10y])", 600_000),
        QueryException.Kind.EXECUTION, "too many samples");
    assertKind(() -> small.instantQuery("count_over_time(x{job=\"j1\"}[10y])", 600_000),
        QueryException.Kind.EXECUTION, "too many samples");
    assertThat(((InstantVector) small.instantQuery("count_over_time(x{job=\"j1\"}[5m])",
        600_000)).samples()).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(31));
    // start=-9.2e15 s, end=9.2e15 s, step=1y: end - start does not fit in a long.
    assertKind(() -> engine.rangeQuery("x", -9_200_000_000_000_000_000L,
        9_200_000_000_000_000_000L, 365L * 86_400_000), QueryException.Kind.BAD_DATA,
        "exceeded maximum resolution of 11,000 points per timeseries");
    assertKind(() -> engine.instantQuery("count_over_time(x[10y:1s])", 600_000),
        QueryException.Kind.EXECUTION, "more than 3000000 steps");
  }

  @Test
  void topk_hugeKReturnsEverySeriesOnce() {
    Value v = engine.instantQuery("topk(1e9, x)", 600_000);
    assertThat(((InstantVector) v).samples()).hasSize(100);
    v = engine.instantQuery("bottomk(Inf, x)", 600_000);
    assertThat(((InstantVector) v).samples()).hasSize(100);
  }

  @Test
  void maxSeries_limitsWhatAQueryReturns() {
    Engine small = Engine.builder(db).maxSeries(10).build();
    assertKind(() -> small.instantQuery("x", 600_000), QueryException.Kind.EXECUTION,
        "more than 10 series");
    assertKind(() -> small.rangeQuery("x", 0, 600_000, 60_000), QueryException.Kind.EXECUTION,
        "more than 10 series");
    assertThat(((InstantVector) small.instantQuery("sum(x)", 600_000)).samples()).hasSize(1);
  }

  @Test
  void interruptedThread_isATimeout() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> engine.rangeQuery("x", 0, 600_000, 10_000))
          .isInstanceOf(QueryException.class).hasMessageContaining("query timed out")
          .satisfies(e -> assertThat(((QueryException) e).kind())
              .isEqualTo(QueryException.Kind.TIMEOUT));
    } finally {
      Thread.interrupted();
    }
  }
}
