package syslens.server.tool;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import syslens.alerting.rules.RuleTests;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens tool rule-test FILE...}: runs rule unit-test files in {@code promtool test
 * rules}' format (plus the syslens rule kinds) against the real TSDB in a temporary directory (a
 * fresh database per test), prints each failure and one line per file, and ends with
 * {@code N passed, M failed}.
 */
public final class RuleTestTool {
  private final PrintWriter out;

  private RuleTestTool(PrintWriter out) {
    this.out = out;
  }

  public static RuleTestTool create(PrintWriter out) {
    return new RuleTestTool(requireNonNull(out, "out"));
  }

  /** Runs the files; the number of failed test cases (0 when all passed). */
  public int run(List<Path> files) throws IOException {
    requireNonNull(files, "files");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("FILE: none given (expected: rule test files)");
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("FILE: " + f + " (expected: a rule test file)");
      }
    }
    Path tmp = Files.createTempDirectory("syslens-rule-test");
    int passed = 0;
    int failed = 0;
    try {
      AtomicInteger dbs = new AtomicInteger();
      RuleTests tests = RuleTests.create(
          () -> Tsdb.builder(tmp.resolve("db" + dbs.incrementAndGet())).build());
      for (Path f : files) {
        RuleTests.Result r = tests.run(f);
        r.failures().forEach(x -> out.println("FAIL " + x));
        out.printf("%s: %d passed, %d failed%n", r.file(), r.passed(), r.failed());
        passed += r.passed();
        failed += r.failed();
        out.flush();
      }
    } finally {
      PromqlTestTool.deleteTree(tmp);
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed;
  }
}
