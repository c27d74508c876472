package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import syslens.query.parser.AtModifiers;
import syslens.query.parser.Expr;

/**
 * Runs Prometheus 2.42's PromQL test scripts (../shared/promql-testdata beside the checkout,
 * passed by the POM as -Dpromql.testdata) against this engine through {@link PromqlScript}:
 * every case must pass, in instant mode, in range mode and with {@code @} pinned at other
 * evaluation times, as Prometheus' own harness runs them. Nothing is skipped.
 */
class PromqlTestdataTest {
  private static final Path DIR = Path.of(System.getProperty("promql.testdata",
      "../../shared/promql-testdata"));

  @Test
  void testdata_everyCasePasses() throws IOException {
    assertThat(DIR).as("promql-testdata directory").isDirectory();
    PromqlScript script = PromqlScript.create(MemoryStorage::new, s -> Engine.builder(s).build());
    int passed = 0;
    List<String> failures = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".test")).sorted().toList()) {
        PromqlScript.Result r = script.run(f);
        System.out.printf("promql-testdata %-22s %3d passed, %d failed%n", r.file(), r.passed(),
            r.failed());
        passed += r.passed();
        failures.addAll(r.failures());
      }
    }
    failures.forEach(System.out::println);
    System.out.println("promql-testdata: " + passed + " passed, " + failures.size() + " failed");
    assertThat(failures).isEmpty();
    assertThat(passed).isGreaterThanOrEqualTo(500);
  }

  @Test
  void run_wrongExpectationFails(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path f = dir.resolve("x.test");
    Files.writeString(f, """
        load 1m
          up{job="a"} 1 2 3

        eval instant at 2m up
          up{job="a"} 3

        eval instant at 2m up
          up{job="a"} 4

        eval instant at 2m time()
          120

        eval instant at 1m no_such_function(up)
          1
        """);
    PromqlScript.Result r = PromqlScript.create(MemoryStorage::new, s -> Engine.builder(s).build())
        .run(f);
    assertThat(r.passed()).isEqualTo(2);
    assertThat(r.failures()).hasSize(2);
    assertThat(r.failures().get(0)).contains("x.test:7").contains("got 3.0, expected 4.0");
    assertThat(r.failures().get(1)).contains("x.test:13").contains("parse failed");
  }

  @Test
  void run_reRunsInstantEvalsWithAtPinned(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("at.test");
    Files.writeString(f, """
        load 1m
          up{job="a"} 1 2 3

        eval instant at 2m up
          up{job="a"} 3

        eval instant at 2m timestamp(up)
          {job="a"} 120
        """);
    MemoryQueryable[] last = new MemoryQueryable[1];
    PromqlScript.Result r = PromqlScript.create(() -> {
      MemoryStorage s = new MemoryStorage();
      last[0] = s.db();
      return s;
    }, s -> Engine.builder(s).build()).run(f);
    assertThat(r.failures()).isEmpty();
    assertThat(r.passed()).isEqualTo(2);
    // `up`: instant + range mode, then @ 120 at -1200 s, 0, 24 s, 120 s, 1200 s (instant + range
    // each) = 12 queries; `timestamp(up)` is time-dependent: instant + range only = 2.
    assertThat(last[0].queriersOpened).isEqualTo(14);
  }

  @Test
  void pin_setsAtOutsideSubqueriesOnly() {
    Expr e = AtModifiers.pin(Engine.parse("sum(rate(a[1m])) + b @ 10 + max_over_time(c[5m:1m])"),
        50_000);
    assertThat(e.toString()).contains("kind=TIME, timeMs=50000").contains("kind=TIME, timeMs=10000");
    // The subquery is pinned, its inner selector is not.
    assertThat(e.toString()).containsOnlyOnce("name=c, matchers=[__name__=\"c\"], offsetMs=0, "
        + "at=null");
    assertThat(AtModifiers.pin(Engine.parse("timestamp(a)"), 1)).isNull();
    assertThat(AtModifiers.otherEvalTimes(0)).containsExactly(0, -1000, 1000);
    assertThat(AtModifiers.otherEvalTimes(100)).containsExactly(-1000, 0, 20, 100, 1000);
  }

  @Test
  void expand_seriesValues() {
    List<Double> out = new ArrayList<>();
    PromqlScript.expand("0+10x2", out);
    PromqlScript.expand("_x2", out);
    PromqlScript.expand("1x1", out);
    PromqlScript.expand("-1-2x1", out);
    PromqlScript.expand("1e3", out);
    assertThat(out).containsExactly(0.0, 10.0, 20.0, null, null, 1.0, 1.0, -1.0, -3.0, 1000.0);
  }
}
