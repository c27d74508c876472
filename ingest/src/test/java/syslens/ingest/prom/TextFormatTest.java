package syslens.ingest.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import syslens.ingest.SeriesInput;

class TextFormatTest {
  @Test
  void parse_exposition_withAndWithoutTimestamps() throws Exception {
    String text = """
        # HELP node_load1 1m load average.
        # TYPE node_load1 gauge
        node_load1 0.25
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="200",} 1028 1395066364000
        msg{text="a \\"quoted\\" \\\\ back\\nslash"} -Inf

        weird NaN
        """;
    SeriesInput in = TextFormat.parse(text, 42);
    assertThat(in.seriesCount()).isEqualTo(5);
    assertThat(in.timestamp(0, 0)).isEqualTo(42);
    assertThat(in.value(0, 0)).isEqualTo(0.25);
    assertThat(in.labelValue(1, 1)).isEqualTo("post");
    assertThat(in.timestamp(2, 0)).isEqualTo(1395066364000L);
    assertThat(in.key(1)).as("one series, one cache key").isEqualTo(in.key(1));
    assertThat(in.labelValue(3, 1)).isEqualTo("a \"quoted\" \\ back\nslash");
    assertThat(in.value(3, 0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(in.value(4, 0)).isNaN();
  }

  @Test
  void parse_malformedLines_errorsNameEachLine() {
    String text = "ok 1\nbad{a=\"1\" 2\nok 1 notatime\n{x=\"1\"} 1\nm{__meta_x=\"1\"} 1\nm 0x10\n";
    assertThatThrownBy(() -> TextFormat.parse(text, 0)).isInstanceOf(FormatException.class)
        .hasMessageContaining("line 2: ',' or '}' expected after the value of label \"a\"")
        .hasMessageContaining("line 3: timestamp \"notatime\"")
        .hasMessageContaining("line 4: metric name expected at column 1")
        .hasMessageContaining("line 5: label name \"__meta_x\" is reserved")
        .hasMessageContaining("line 6: value \"0x10\"")
        .message().doesNotContain("line 1:");
  }
}
