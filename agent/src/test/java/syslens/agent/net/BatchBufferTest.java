package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Sample;
import syslens.agent.v1.lite.Series;

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

    assertThat(b.append(series(1))).isEqualTo(1);
    assertThat(b.append(series(2))).isEqualTo(2);
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

  private static int serializedSize(long seq, List<Series> series) {
    return MetricBatch.newBuilder().setSeq(seq).addAllSeries(series).build().getSerializedSize();
  }

  @Test
  void append_fullByBytes_dropsOldestButKeepsNewest() {
    int one = serializedSize(1, series(10));
    BatchBuffer b = BatchBuffer.create(1000, 2L * one + one / 2);
    for (int i = 0; i < 4; i++) {
      b.append(series(10));
    }

    assertThat(b.size()).isEqualTo(2);
    assertThat(b.droppedBatches()).isEqualTo(2);
    assertThat(b.bytes()).isLessThanOrEqualTo(2L * one + one / 2);
    assertThat(b.firstAfter(0).getSeq()).isEqualTo(3);
    assertThat(b.firstAfter(3).getSeq()).isEqualTo(4);
    assertThat(b.firstAfter(4)).isNull();
  }

  @Test
  void append_bytesAreSerializedSizeOfEachBatch() {
    BatchBuffer b = BatchBuffer.create(100, 1 << 20);
    long expected = 0;
    for (int i = 1; i <= 5; i++) {
      List<Series> s = series(i * 7);
      expected += serializedSize(i, s);
      b.append(s);
    }

    assertThat(b.bytes()).isEqualTo(expected);
    b.ack(2);
    assertThat(b.bytes()).isEqualTo(expected - serializedSize(1, series(7))
        - serializedSize(2, series(14)));
    b.remove(4);
    assertThat(b.bytes()).isEqualTo(serializedSize(3, series(21)) + serializedSize(5, series(35)));
  }

  @Test
  void firstAfter_storedSerialized_returnsFreshEqualCopyOfWhatWasAppended() {
    BatchBuffer b = BatchBuffer.create(10, 1 << 20);
    List<Series> s = series(3);
    b.append(s);

    MetricBatch first = b.firstAfter(0);
    MetricBatch again = b.firstAfter(0);

    assertThat(first).isEqualTo(MetricBatch.newBuilder().setSeq(1).addAllSeries(s).build());
    assertThat(again).isEqualTo(first).isNotSameAs(first); // parsed per (re)send, not retained
  }

  @Test
  void append_overflowByBytesWithManyBatches_keepsNewestWithinBound() {
    int one = serializedSize(1, series(50));
    long max = 10L * one;
    BatchBuffer b = BatchBuffer.create(10_000, max);
    for (int i = 0; i < 100; i++) {
      b.append(series(50));
    }

    assertThat(b.bytes()).isLessThanOrEqualTo(max);
    assertThat(b.size()).isEqualTo(10);
    assertThat(b.droppedBatches()).isEqualTo(90);
    List<Long> kept = new ArrayList<>();
    for (MetricBatch m = b.firstAfter(0); m != null; m = b.firstAfter(m.getSeq())) {
      kept.add(m.getSeq());
    }
    assertThat(kept).containsExactly(91L, 92L, 93L, 94L, 95L, 96L, 97L, 98L, 99L, 100L);
  }

  @Test
  void append_batchLargerThanBound_keptAloneAsNewest() {
    BatchBuffer b = BatchBuffer.create(10, 10);
    b.append(series(1));
    b.append(series(20));

    assertThat(b.size()).isEqualTo(1);
    assertThat(b.droppedBatches()).isEqualTo(1);
    assertThat(b.firstAfter(0).getSeq()).isEqualTo(2);
  }

  @Test
  void create_nonPositiveLimits_rejected() {
    assertThatThrownBy(() -> BatchBuffer.create(0, 1))
        .hasMessage("maxBatches: 0 (expected: >= 1)");
    assertThatThrownBy(() -> BatchBuffer.create(1, 0)).hasMessage("maxBytes: 0 (expected: >= 1)");
  }
}
