package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Sample;
import syslens.agent.v1.lite.Series;

class DiskBatchBufferTest {
  @TempDir
  Path dir;

  private static List<Series> series(int n, long ts) {
    List<Series> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Series.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue("m" + i))
          .addSamples(Sample.newBuilder().setTimestampMs(ts).setValue(i)).build());
    }
    return out;
  }

  private static List<MetricBatch> drain(BatchBuffer b) {
    List<MetricBatch> out = new ArrayList<>();
    for (MetricBatch m = b.firstAfter(0); m != null; m = b.firstAfter(m.getSeq())) {
      out.add(m);
    }
    return out;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
    }
  }

  @Test
  void firstAfter_newestBatch_asBuiltOnceThenReadBackEqual() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      b.append(series(2, 1000));
      long seq = b.append(series(3, 2000));

      MetricBatch first = b.firstAfter(seq - 1);
      MetricBatch again = b.firstAfter(seq - 1); // a resend: from the segment file

      assertThat(first.getSeq()).isEqualTo(seq);
      assertThat(again).isNotSameAs(first).isEqualTo(first);
      assertThat(drain(b)).extracting(MetricBatch::getSeq).containsExactly(1L, 2L);
      b.ack(seq);
      assertThat(b.firstAfter(0)).isNull();
    }
  }

  @Test
  void open_afterRestart_unackedBatchesBackInOrderAndSeqContinuesInSameEpoch() throws Exception {
    long epoch;
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      epoch = b.epoch();
      for (int i = 0; i < 5; i++) {
        b.append(series(3, 1000 + i));
      }
      b.ack(2);
    }

    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      assertThat(b.epoch()).isEqualTo(epoch);
      List<MetricBatch> back = drain(b);
      assertThat(back).extracting(MetricBatch::getSeq).containsExactly(3L, 4L, 5L);
      assertThat(back.get(0).getSeries(0).getSamples(0).getTimestampMs()).isEqualTo(1002);
      assertThat(b.append(series(1, 2000))).isEqualTo(6);
      assertThat(b.size()).isEqualTo(4);
    }
  }

  @Test
  void ack_manyTimes_fileOverwrittenInPlaceAndReadBackAfterRestart() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      for (int i = 0; i < 12; i++) {
        b.append(series(1, 1000 + i));
      }
      b.ack(9);
      b.ack(11); // a longer value after a shorter one
    }
    assertThat(Files.readString(dir.resolve(BufferSegments.ACKED_FILE))).isEqualTo("00000000000000000011\n");

    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      assertThat(drain(b)).extracting(MetricBatch::getSeq).containsExactly(12L);
    }
  }

  @Test
  void open_ackedFileOfEarlierVersions_stillRead() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      for (int i = 0; i < 3; i++) {
        b.append(series(1, 1000 + i));
      }
    }
    Files.writeString(dir.resolve(BufferSegments.ACKED_FILE), "2\n"); // decimal, no padding

    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      assertThat(drain(b)).extracting(MetricBatch::getSeq).containsExactly(3L);
      b.ack(3);
    }
    assertThat(Files.readString(dir.resolve(BufferSegments.ACKED_FILE))).isEqualTo("00000000000000000003\n");
  }

  @Test
  void open_newDirectory_newNonZeroEpochEachTime() throws Exception {
    long a;
    long c;
    try (BatchBuffer b = BatchBuffer.open(dir.resolve("a"), 10, 1 << 20)) {
      a = b.epoch();
    }
    try (BatchBuffer b = BatchBuffer.open(dir.resolve("c"), 10, 1 << 20)) {
      c = b.epoch();
    }
    assertThat(a).isNotZero().isNotEqualTo(c);
  }

  @Test
  void ack_allBatches_segmentsDeletedAndNothingComesBack() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 256 << 10)) {
      for (int i = 0; i < 200; i++) {
        b.append(series(50, i));
      }
      assertThat(segments()).hasSizeGreaterThan(1);
      b.ack(200);
      assertThat(segments()).hasSizeLessThanOrEqualTo(1); // at most the one being written
    }
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 256 << 10)) {
      assertThat(b.size()).isZero();
      assertThat(b.append(series(1, 1))).isEqualTo(201);
    }
  }

  @Test
  void append_fullByBytes_oldestDroppedAndDiskStaysBounded() throws Exception {
    long max = 256 << 10;
    try (BatchBuffer b = BatchBuffer.open(dir, 1_000_000, max)) {
      for (int i = 0; i < 2000; i++) {
        b.append(series(20, i));
      }
      assertThat(b.droppedBatches()).isPositive();
      assertThat(b.bytes()).isLessThanOrEqualTo(max);
      long onDisk = 0;
      for (Path p : segments()) {
        onDisk += Files.size(p);
      }
      // live bytes plus record headers plus at most one partly drained segment
      assertThat(onDisk).isLessThan(max + max / 2 + 64 * 1024);
      List<MetricBatch> back = drain(b);
      assertThat(back.get(back.size() - 1).getSeq()).isEqualTo(2000);
      assertThat(back).extracting(MetricBatch::getSeq).isSorted();
    }
  }

  @Test
  void open_tornTail_keepsEveryWholeBatchBeforeIt() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      for (int i = 0; i < 4; i++) {
        b.append(series(5, i));
      }
    }
    Path seg = segments().get(0);
    long size = Files.size(seg);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7); // a crash in the middle of writing batch 4
    }

    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 1 << 20)) {
      assertThat(drain(b)).extracting(MetricBatch::getSeq).containsExactly(1L, 2L, 3L);
      assertThat(b.append(series(1, 9))).isEqualTo(4);
    }
  }

  @Test
  void open_flippedByteInOldSegment_costsThatSegmentsRestNotLaterSegments() throws Exception {
    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 256 << 10)) {
      for (int i = 0; i < 100; i++) {
        b.append(series(50, i));
      }
    }
    List<Path> segs = segments();
    assertThat(segs).hasSizeGreaterThan(2);
    try (FileChannel ch = FileChannel.open(segs.get(0), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, 40);
      one.flip();
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (one.get() ^ 0x5a)}), 40);
    }

    try (BatchBuffer b = BatchBuffer.open(dir, 1000, 256 << 10)) {
      List<Long> seqs = drain(b).stream().map(MetricBatch::getSeq).toList();
      assertThat(seqs).doesNotContain(1L).contains(100L).isSorted();
      long secondFirst = Long.parseLong(segs.get(1).getFileName().toString().substring(4, 24));
      assertThat(seqs).contains(secondFirst);
      assertThat(seqs.get(seqs.size() - 1)).isEqualTo(100L);
    }
  }
}
