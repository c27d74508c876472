package syslens.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

class RecordCodecTest {
  static final long STALE_NAN = 0x7ff0000000000002L;

  record Sample(Labels labels, long t, long bits) {}

  static List<Sample> decode(byte[] value) {
    List<Sample> out = new ArrayList<>();
    RecordCodec.decode(value, (l, t, v) -> out.add(new Sample(l, t, Double.doubleToRawLongBits(v))));
    return out;
  }

  static byte[] encode() {
    RecordCodec.Writer w = new RecordCodec.Writer();
    long[] ts = {1000, 2000, 3000};
    double[] vs = {1.5, Double.longBitsToDouble(STALE_NAN), -0.0};
    w.series(Labels.of("__name__", "up", "node", "n-ü"), ts, vs, new int[] {0, 1, 2}, 0, 2);
    w.series(Labels.of("__name__", "cpu"), ts, vs, new int[] {0, 1, 2}, 2, 3);
    return w.toByteArray();
  }

  @Test
  void decode_written_sameSamplesAndValueBits() {
    assertThat(decode(encode())).containsExactly(
        new Sample(Labels.of("__name__", "up", "node", "n-ü"), 1000, Double.doubleToRawLongBits(1.5)),
        new Sample(Labels.of("__name__", "up", "node", "n-ü"), 2000, STALE_NAN),
        new Sample(Labels.of("__name__", "cpu"), 3000, Double.doubleToRawLongBits(-0.0)));
  }

  @Test
  void decode_truncatedAnywhere_refusedNamingTheByte() {
    byte[] full = encode();
    for (int len = 1; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      if (len == 1 || len == 57) {
        continue; // no series yet, or the first series whole: complete records
      }
      assertThatThrownBy(() -> decode(cut)).as("length %d", len).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void decode_unknownVersionOrHugeCounts_refused() {
    byte[] v2 = encode();
    v2[0] = 2;
    assertThatThrownBy(() -> decode(v2)).hasMessage("record version: 2 (expected: 1)");
    byte[] labels = {1, (byte) 0xff, (byte) 0xff, 0x03};
    assertThatThrownBy(() -> decode(labels)).hasMessageStartingWith("label count: 65535 at byte 4 (expected: <= 256)");
    byte[] samples = {1, 0, (byte) 0x80, (byte) 0x80, 0x40};
    assertThatThrownBy(() -> decode(samples)).hasMessage("record truncated at byte 5 of 5 (expected: 16777216 more)");
  }

  @Test
  void partition_sameLabelsAnyInstance_samePartitionAndSpread() {
    int[] hits = new int[12];
    for (int i = 0; i < 12_000; i++) {
      Labels a = Labels.of("__name__", "node_cpu_seconds_total", "node", "host-" + i, "cpu", "0");
      Labels b = Labels.of("cpu", "0", "node", "host-" + i, "__name__", "node_cpu_seconds_total");
      int p = Publisher.partition(a, 12);
      assertThat(Publisher.partition(b, 12)).isEqualTo(p);
      hits[p]++;
    }
    assertThat(Arrays.stream(hits).min().getAsInt()).isGreaterThan(800); // 1,000 each if even
  }
}
