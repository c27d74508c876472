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

/** {@code syslens tool rule-test FILE...} through the real command line and the real TSDB. */
class RuleTestToolTest {
  private static final Path RULETESTS = Path.of("../alerting/src/test/resources/ruletests");

  private static List<String> run(int[] rc, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = MainAccess.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));
    rc[0] = cl.execute(args);
    return out.toString().lines().toList();
  }

  @Test
  void ruleTest_suiteFilesForEveryKind_allPass() {
    int[] rc = new int[1];
    List<String> out = run(rc, "tool", "rule-test",
        RULETESTS.resolve("threshold.test.yml").toString(),
        RULETESTS.resolve("kinds.test.yml").toString(),
        RULETESTS.resolve("anomaly.test.yml").toString());

    assertThat(out).noneMatch(l -> l.startsWith("FAIL"));
    assertThat(out.get(out.size() - 1)).matches("\\d+ passed, 0 failed");
    assertThat(rc[0]).isZero();
  }

  @Test
  void ruleTest_failingCase_exitsOneWithCounts(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("r.yml"), "groups:\n  - name: g\n    rules:\n"
        + "      - alert: Down\n        expr: up == 0\n");
    Files.writeString(dir.resolve("t.yml"), """
        rule_files: [r.yml]
        tests:
          - interval: 1m
            input_series:
              - series: 'up{instance="a"}'
                values: '1 0'
            alert_rule_test:
              - eval_time: 1m
                alertname: Down
                exp_alerts:
                  - exp_labels: {instance: a}
              - eval_time: 0m
                alertname: Down
                exp_alerts:
                  - exp_labels: {instance: a}
        """);
    int[] rc = new int[1];
    List<String> out = run(rc, "tool", "rule-test", dir.resolve("t.yml").toString());

    assertThat(out).anyMatch(l -> l.startsWith("FAIL t.yml test 1 alertname Down eval_time 0m"));
    assertThat(out.get(out.size() - 1)).isEqualTo("1 passed, 1 failed");
    assertThat(rc[0]).isEqualTo(1);
  }
}
