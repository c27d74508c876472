package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;

class BatchBufferTest {

  private static List<Series> series(int n) {
    List<Series> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Series.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue("m" + i))
          .addSamples(Sample.newBuilder().setTimestampMs(1000).setValue(i)).build());
    }
    return out;
  }

  @Test
  void append_seqStartsAtOneAndIncreases() {
    BatchBuffer b = BatchBuffer.create(10, 1 << 20);

    assertThat(b.append(series(1)).getSeq()).isEqualTo(1);
    assertThat(b.append(series(2)).getSeq()).isEqualTo(2);
    assertThat(b.lastSeq()).isEqualTo(2);
    assertThat(b.size()).isEqualTo(2);
  }

  @Test
  void ack_removesUpToSeqInclusive() {
    BatchBuffer b = BatchBuffer.create(10, 1 << 20);
    for (int i = 0; i < 5; i++) {
      b.append(series(1));
    }

    assertThat(b.ack(3)).isEqualTo(3);

    assertThat(b.firstAfter(0).getSeq()).isEqualTo(4);
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.ack(3)).isZero();
    assertThat(b.ack(100)).isEqualTo(2);
    assertThat(b.bytes()).isZero();
  }

  @Test
  void firstAfter_walksUnackedInOrderForResend() {
    BatchBuffer b = BatchBuffer.create(10, 1 << 20);
    for (int i = 0; i < 4; i++) {
      b.append(series(1));
    }
    b.remove(2);

    List<Long> order = new ArrayList<>();
    for (MetricBatch m = b.firstAfter(0); m != null; m = b.firstAfter(m.getSeq())) {
      order.add(m.getSeq());
    }

    assertThat(order).containsExactly(1L, 3L, 4L);
    assertThat(b.remove(2)).isFalse();
  }

  @Test
  void append_fullByCount_dropsOldestAndCounts() {
    BatchBuffer b = BatchBuffer.create(3, 1 << 20);
    for (int i = 0; i < 5; i++) {
      b.append(series(1));
    }

    assertThat(b.size()).isEqualTo(3);
    assertThat(b.droppedBatches()).isEqualTo(2);
    assertThat(b.firstAfter(0).getSeq()).isEqualTo(3);
  }

  @Test
  void append_fullByBytes_dropsOldestButKeepsNewest() {
    int one = BatchBuffer.create(1, 1 << 20).append(series(10)).getSerializedSize();
    BatchBuffer b = BatchBuffer.create(1000, 2L * one + one / 2);
    for (int i = 0; i < 4; i++) {
      b.append(series(10));
    }

    assertThat(b.size()).isEqualTo(2);
    assertThat(b.droppedBatches()).isEqualTo(2);
    assertThat(b.bytes()).isLessThanOrEqualTo(2L * one + one / 2);
    assertThat(b.firstAfter(0).getSeq()).isEqualTo(3);
  }

  @Test
  void create_nonPositiveLimits_rejected() {
    assertThatThrownBy(() -> BatchBuffer.create(0, 1))
        .hasMessage("maxBatches: 0 (expected: >= 1)");
    assertThatThrownBy(() -> BatchBuffer.create(1, 0)).hasMessage("maxBytes: 0 (expected: >= 1)");
  }
}
