package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromTextTest {

  @Test
  void parse_textFormat_samplesLabelsEscapesSpecialValues() {
    List<Metric> m = PromText.parse("""
        # HELP http_requests_total The total.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
        metric_without_labels 12.47
        nan_metric NaN
        inf{le="+Inf",} +Inf
        neg -Inf
        """, 100);

    assertThat(m).extracting(Metric::name).containsExactly("http_requests_total", "msdos_file_access_time_seconds",
        "metric_without_labels", "nan_metric", "inf", "neg");
    assertThat(m.get(0).key()).isEqualTo("http_requests_total{code=\"200\",method=\"post\"}");
    assertThat(m.get(0).value()).isEqualTo(1027.0);
    assertThat(m.get(1).label("path")).isEqualTo("C:\\DIR\\FILE.TXT");
    assertThat(m.get(1).label("error")).isEqualTo("Cannot find file:\n\"FILE.TXT\"");
    assertThat(m.get(4).key()).isEqualTo("inf{le=\"+Inf\"}");
    assertThat(m.get(3).value()).isNaN();
    assertThat(m.get(4).value()).isInfinite();
  }

  @Test
  void parse_openMetrics_exemplarsAndEofIgnored() {
    List<Metric> m = PromText.parse("""
        # TYPE foo counter
        # UNIT foo seconds
        foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
        foo_created 1520430000.123
        # EOF
        after_eof 1
        """, 100);

    assertThat(m).extracting(Metric::key).containsExactly("foo_total", "foo_created");
    assertThat(m.get(0).value()).isEqualTo(17.0);
  }

  @Test
  void parse_malformed_lineNumberAndExpectation() {
    assertThatThrownBy(() -> PromText.parse("ok 1\nbad{a=\"x\" 1\n", 10))
        .hasMessage("line 2: '1' after a label (expected: ',' or '}')");
    assertThatThrownBy(() -> PromText.parse("x 0x10\n", 10)).hasMessageContaining("expected: a number");
    assertThatThrownBy(() -> PromText.parse("x{a=\"unterminated} 1\n", 10))
        .hasMessageContaining("expected: a closing");
    assertThatThrownBy(() -> PromText.parse("1x 1\n", 10)).hasMessageContaining("expected: a metric name");
  }

  @Test
  void parse_overSeriesLimit_rejected() {
    assertThatThrownBy(() -> PromText.parse("a 1\nb 2\nc 3\n", 2))
        .hasMessage("line 3: more than 2 samples (expected: at most 2)");
  }
}
