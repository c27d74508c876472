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

  /** The char loops say what the Prometheus regexes say, for every 1- and 2-char name over ASCII and a few others. */
  @Test
  void names_agreeWithThePrometheusRegexes() {
    java.util.regex.Pattern metric = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    java.util.regex.Pattern label = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    StringBuilder chars = new StringBuilder();
    for (char c = 0; c < 128; c++) {
      chars.append(c);
    }
    chars.append("\u00e9\u0663\uff10\u212a\u017f");
    for (int i = 0; i < chars.length(); i++) {
      for (int j = -1; j < chars.length(); j++) {
        String s = j < 0 ? String.valueOf(chars.charAt(i)) : "" + chars.charAt(i) + chars.charAt(j);
        assertThat(LabelRules.isValidMetricName(s)).as("metric %s", s).isEqualTo(metric.matcher(s).matches());
        assertThat(LabelRules.isValidLabelName(s)).as("label %s", s).isEqualTo(label.matcher(s).matches());
      }
    }
    assertThat(LabelRules.isValidLabelName("")).isFalse();
    assertThat(LabelRules.isValidMetricName("a".repeat(128))).isTrue();
    assertThat(LabelRules.isValidMetricName("a".repeat(129))).isFalse();
  }
}
