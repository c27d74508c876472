package syslens.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.RangeSeries;
import syslens.query.Scalar;
import syslens.query.StringValue;
import syslens.query.Value;
import syslens.query.VectorSample;
import syslens.storage.Labels;

class PromJsonTest {
  private static String render(Value v) {
    AggregatedHttpResponse r = PromJson.success(v, PooledByteBufAllocator.DEFAULT).aggregate().join();
    assertThat(r.headers().contentType()).hasToString("application/json");
    return r.contentUtf8();
  }

  @Test
  void success_matrix_writesPrometheusShapeWithEscapedLabels() {
    Matrix m = new Matrix(List.of(
        new RangeSeries(Labels.of("__name__", "up", "job", "a\"b\\c\né"),
            List.of(new Point(1_796_029_440_000L, 1), new Point(1_796_029_440_500L, 1.5e-7))),
        new RangeSeries(Labels.empty(), List.of())));
    assertThat(render(m)).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
        + "{\"metric\":{\"__name__\":\"up\",\"job\":\"a\\\"b\\\\c\\né\"},"
        + "\"values\":[[1796029440,\"1\"],[1796029440.500,\"0.00000015\"]]},"
        + "{\"metric\":{},\"values\":[]}]}}");
  }

  @Test
  void success_vectorScalarString_writePrometheusShapes() {
    assertThat(render(new InstantVector(List.of(new VectorSample(Labels.of("a", "1"), -1_050L, Double.NaN)))))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"a\":\"1\"},\"value\":[-1.050,\"NaN\"]}]}}");
    assertThat(render(new InstantVector(List.of())))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    assertThat(render(new Scalar(1_796_029_440_500L, Double.POSITIVE_INFINITY)))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1796029440.5,\"+Inf\"]}}");
    assertThat(render(new StringValue(1_796_029_440_000L, "x\"y")))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1796029440,\"x\\\"y\"]}}");
  }

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
