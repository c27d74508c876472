package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricTest {

  @Test
  void of_labelsInAnyOrder_sortedByNameAndCallersArrayUntouched() {
    String[] pairs = {"mountpoint", "/", "device", "sda1", "fstype", "ext4"};

    Metric m = Metric.of("node_filesystem_size_bytes", 1, pairs);

    assertThat(m.labels()).containsExactly("device", "sda1", "fstype", "ext4", "mountpoint", "/");
    assertThat(pairs).containsExactly("mountpoint", "/", "device", "sda1", "fstype", "ext4");
  }

  @Test
  void of_sameNameTwice_keepsTheirOrder() {
    assertThat(Metric.of("x", 1, "b", "1", "a", "2", "b", "0").labels())
        .containsExactly("a", "2", "b", "1", "b", "0");
  }

  @Test
  void of_oddOrNullLabels_refused() {
    assertThatThrownBy(() -> Metric.of("x", 1, "a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labelPairs: 1 strings");
    assertThatThrownBy(() -> Metric.of("x", 1, "a", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("label value");
  }
}
