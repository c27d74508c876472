package syslens.server.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import syslens.server.MainAccess;

/** {@code syslens tool promql-test DIR} through the real command line and the real TSDB. */
class PromqlTestToolTest {
  private static final Path TESTDATA = Path.of(System.getProperty("promql.testdata",
      "../../shared/promql-testdata"));

  private record Run(int exitCode, List<String> out, String err) {
    String lastLine() {
      return out.get(out.size() - 1);
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MainAccess.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args);
    return new Run(rc, out.toString().lines().toList(), err.toString());
  }

  @Test
  void promqlTest_prometheusScriptsAllPassOverTheTsdb() {
    assertThat(TESTDATA).isDirectory();
    Run r = run("tool", "promql-test", TESTDATA.toString());
    assertThat(r.out()).noneMatch(l -> l.startsWith("FAIL"));
    assertThat(r.lastLine()).matches("\\d+ passed, 0 failed");
    assertThat(Integer.parseInt(r.lastLine().split(" ")[0])).isGreaterThanOrEqualTo(500);
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void promqlTest_failedAndUnevaluableCasesCountAsFailed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.test"), """
        load 1m
          up{job="a"} 1 2 3

        eval instant at 2m up
          up{job="a"} 3

        eval instant at 2m up * 2
          {job="a"} 7

        eval instant at 2m up{
          up{job="a"} 3
        """);
    Files.writeString(dir.resolve("ignored.txt"), "not a test");
    Run r = run("tool", "promql-test", dir.toString());
    assertThat(r.lastLine()).isEqualTo("1 passed, 2 failed");
    assertThat(r.out()).anyMatch(l -> l.startsWith("FAIL a.test:7") && l.contains("expected 7"));
    assertThat(r.out()).anyMatch(l -> l.startsWith("FAIL a.test:10") && l.contains("parse"));
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void promqlTest_missingDirectoryIsAnError(@TempDir Path dir) {
    Run r = run("tool", "promql-test", dir.resolve("nope").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("expected: a directory of *.test files");
  }
}
