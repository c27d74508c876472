package syslens.server.tool;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import syslens.query.Engine;
import syslens.query.PromqlScript;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens tool promql-test DIR}: runs every {@code *.test} file in DIR (Prometheus'
 * PromQL test-script format) against the embedded engine over the real TSDB (head and WAL in a
 * temporary directory, a fresh database per file and per {@code clear}), prints one line per
 * file and per failed case, and ends with {@code N passed, M failed}. Lives in {@code server}
 * because it joins {@code query} and {@code tsdb}, which must not know each other.
 */
public final class PromqlTestTool {
  /** Largest script file read, so a stray huge file cannot fill the heap. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private final PrintWriter out;

  private PromqlTestTool(PrintWriter out) {
    this.out = out;
  }

  public static PromqlTestTool create(PrintWriter out) {
    return new PromqlTestTool(requireNonNull(out, "out"));
  }

  /** Runs the scripts in {@code dir}; the number of failed cases (0 when all passed). */
  public int run(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("DIR: " + dir + " (expected: a directory of *.test files)");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".test") && Files.isRegularFile(p))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("DIR: " + dir + " has no *.test files (expected: "
          + "Prometheus PromQL test scripts)");
    }
    Path tmp = Files.createTempDirectory("syslens-promql-test");
    int passed = 0;
    int failed = 0;
    try {
      AtomicInteger dbs = new AtomicInteger();
      PromqlScript script = PromqlScript.create(
          () -> Tsdb.builder(tmp.resolve("db" + dbs.incrementAndGet())).build(),
          storage -> Engine.builder(storage).build());
      for (Path f : files) {
        if (Files.size(f) > MAX_FILE_BYTES) {
          out.printf("%s: %d bytes (expected: <= %d); counted as 1 failed%n", f.getFileName(),
              Files.size(f), MAX_FILE_BYTES);
          failed++;
          continue;
        }
        PromqlScript.Result r = script.run(f);
        r.failures().forEach(x -> out.println("FAIL " + x));
        out.printf("%s: %d passed, %d failed%n", r.file(), r.passed(), r.failed());
        passed += r.passed();
        failed += r.failed();
        out.flush();
      }
    } finally {
      deleteTree(tmp);
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed;
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
