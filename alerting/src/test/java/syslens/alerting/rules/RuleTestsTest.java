package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import syslens.tsdb.Tsdb;

class RuleTestsTest {
  @TempDir
  Path tmp;

  private RuleTests runner() {
    AtomicInteger n = new AtomicInteger();
    return RuleTests.create(() -> Tsdb.builder(tmp.resolve("db" + n.incrementAndGet())).build());
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(RuleTestsTest.class.getResource("/ruletests/" + name).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"threshold.test.yml", "kinds.test.yml", "anomaly.test.yml"})
  void run_ruleTestFile_allPass(String file) throws Exception {
    RuleTests.Result r = runner().run(resource(file));

    assertThat(r.failures()).isEmpty();
    assertThat(r.passed()).isGreaterThan(0);
  }

  @Test
  void run_wrongExpectation_failsNamingAlertAndTime() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t"));
    Files.copy(resource("threshold.rules.yml"), dir.resolve("threshold.rules.yml"));
    Files.writeString(dir.resolve("bad.test.yml"), """
        rule_files: [threshold.rules.yml]
        tests:
          - input_series:
              - series: 'up{job="node", instance="a:9100"}'
                values: '0x10'
            alert_rule_test:
              - eval_time: 2m
                alertname: InstanceDown
                exp_alerts:
                  - exp_labels: {severity: page, instance: a:9100, job: node}
        """);

    RuleTests.Result r = runner().run(dir.resolve("bad.test.yml"));

    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.failures().get(0)).contains("alertname InstanceDown eval_time 2m", "exp:", "got: []");
  }

  @Test
  void run_brokenRuleFile_failsWithTheParseError() throws IOException {
    Files.writeString(tmp.resolve("r.yml"), "groups:\n  - name: g\n    rules:\n      - alert: X\n"
        + "        expr: up ==\n");
    Files.writeString(tmp.resolve("t.yml"), "rule_files: [r.yml]\ntests: []\n");

    RuleTests.Result r = runner().run(tmp.resolve("t.yml"));

    assertThat(r.failures()).singleElement().asString()
        .contains("rule file r.yml", "group \"g\" rule \"X\" (line 5)", "expr:");
  }
}
