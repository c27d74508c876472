package syslens.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromJsonTest {
  @Test
  void formatValue_matchesGoFormatFloat() {
    assertThat(syslens.query.PromFormat.formatValue(1.0)).isEqualTo("1");
    assertThat(syslens.query.PromFormat.formatValue(0.5)).isEqualTo("0.5");
    assertThat(syslens.query.PromFormat.formatValue(1e21)).isEqualTo("1000000000000000000000");
    assertThat(syslens.query.PromFormat.formatValue(1.5e-7)).isEqualTo("0.00000015");
    assertThat(syslens.query.PromFormat.formatValue(-2.25)).isEqualTo("-2.25");
    assertThat(syslens.query.PromFormat.formatValue(Double.NaN)).isEqualTo("NaN");
    assertThat(syslens.query.PromFormat.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(syslens.query.PromFormat.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(syslens.query.PromFormat.formatValue(0.1 + 0.2)).isEqualTo("0.30000000000000004");
  }

  @Test
  void seconds_keepsMillisecondsWithoutTrailingZeros() {
    assertThat(PromJson.seconds(1_700_000_000_500L).toPlainString()).isEqualTo("1700000000.5");
    assertThat(PromJson.seconds(1_700_000_000_000L).toPlainString()).isEqualTo("1700000000");
    // Jackson writes BigDecimal.toString(): never scientific notation like 1.79602944E+9.
    assertThat(PromJson.seconds(1_796_029_440_000L).toString()).isEqualTo("1796029440");
    assertThat(PromJson.seconds(-1_000L).toString()).isEqualTo("-1");
    assertThat(PromJson.seconds(0).toString()).isEqualTo("0");
  }

  @Test
  void pointTime_writesThreeDecimalsAsPrometheusMarshalTimestamp() {
    // Prometheus 2.42 answers [1.500,"1"] for vector(1) at time=1.5, [-1.050,"1"] at -1.05.
    assertThat(PromJson.pointTime(1_500L).toString()).isEqualTo("1.500");
    assertThat(PromJson.pointTime(-1_050L).toString()).isEqualTo("-1.050");
    assertThat(PromJson.pointTime(1_796_029_440_000L).toString()).isEqualTo("1796029440");
    assertThat(PromJson.pointTime(1_796_029_440_005L).toString()).isEqualTo("1796029440.005");
    assertThat(PromJson.pointTime(0).toString()).isEqualTo("0");
  }

  @Test
  void labels_renderedAsPrometheusLabelsString() {
    assertThat(syslens.query.PromFormat.labels(syslens.storage.Labels.of("__name__", "up", "job", "a\"b\n")))
        .isEqualTo("{__name__=\"up\", job=\"a\\\"b\\n\"}");
    assertThat(syslens.query.PromFormat.labels(syslens.storage.Labels.empty())).isEqualTo("{}");
  }

  @Test
  void time_acceptsUnixSecondsAndRfc3339() {
    assertThat(PromParams.time("t", "1700000000.123")).isEqualTo(1_700_000_000_123L);
    assertThat(PromParams.time("t", "2023-11-14T22:13:20Z")).isEqualTo(1_700_000_000_000L);
    assertThatThrownBy(() -> PromParams.time("start", "yesterday"))
        .hasMessageContaining("cannot parse \"yesterday\" to a valid timestamp");
    assertThatThrownBy(() -> PromParams.time("start", "1e300")).hasMessageContaining("start");
  }

  @Test
  void duration_acceptsSecondsAndPromDurations() {
    assertThat(PromParams.duration("step", "15")).isEqualTo(15_000);
    assertThat(PromParams.duration("step", "0.5")).isEqualTo(500);
    assertThat(PromParams.duration("step", "1m30s")).isEqualTo(90_000);
    assertThat(PromParams.duration("step", "250ms")).isEqualTo(250);
    assertThatThrownBy(() -> PromParams.duration("step", "1x")).hasMessageContaining("valid duration");
  }

  @Test
  void hugeExponentsAndOverflows_rejectedFastWithoutScaling() {
    for (String v : new String[] {"1e999999999", "1e-999999999", "9".repeat(5000), "99999999999999999999999h"}) {
      assertThatThrownBy(() -> PromParams.duration("step", v)).hasMessageContaining("valid duration");
      assertThatThrownBy(() -> PromParams.time("start", v)).hasMessageContaining("valid timestamp");
    }
  }
}
