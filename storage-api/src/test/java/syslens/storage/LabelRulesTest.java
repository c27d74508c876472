package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelRulesTest {
  @Test
  void validate_acceptsPrometheusNames() {
    assertThat(LabelRules.validate(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"))).isNull();
    assertThat(LabelRules.validate(Labels.of("__name__", "job:rate5m", "_private", "x"))).isNull();
  }

  @Test
  void validate_missingOrBadMetricName_namesIt() {
    assertThat(LabelRules.validate(Labels.of("job", "x"))).startsWith("metric name: \"\"");
    assertThat(LabelRules.validate(Labels.of("__name__", "1abc"))).contains("\"1abc\"").contains("expected");
    assertThat(LabelRules.validate(Labels.of("__name__", "a-b"))).contains("\"a-b\"");
  }

  @Test
  void validate_badLabelName_namesIt() {
    assertThat(LabelRules.validate(Labels.of("__name__", "up", "bad-name", "x")))
        .isEqualTo("label name: \"bad-name\" (expected: [a-zA-Z_][a-zA-Z0-9_]*, 1-128 chars)");
    assertThat(LabelRules.validate(Labels.of("__name__", "up", "a:b", "x"))).contains("\"a:b\"");
  }

  @Test
  void validate_limits() {
    Labels.Builder b = Labels.builder().set("__name__", "up");
    for (int i = 0; i < LabelRules.MAX_LABELS; i++) {
      b.set("l" + i, "v");
    }
    assertThat(LabelRules.validate(b.build())).isEqualTo("labels: 65 (expected: <= 64)");
    assertThat(LabelRules.validate(Labels.of("__name__", "up", "x", "v".repeat(2049))))
        .isEqualTo("label x: value of 2049 chars (expected: <= 2048)");
    assertThat(LabelRules.validate(Labels.of("__name__", "u".repeat(129)))).contains("1-128 chars");
  }
}
