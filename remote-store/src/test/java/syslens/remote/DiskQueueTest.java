package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskQueueTest {
  @TempDir
  Path dir;

  private static WriteRequests.Encoded record(int i, int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) i);
    return new WriteRequests.Encoded(b, i);
  }

  private static List<Integer> drain(DiskQueue q) throws IOException {
    List<Integer> seen = new ArrayList<>();
    long pos = q.ackedPosition();
    while (pos < q.writePosition()) {
      DiskQueue.Batch b = q.read(pos, 1000);
      for (byte[] p : b.payloads()) {
        seen.add((int) p[0]);
      }
      q.ack(b.end(), b.samples());
      pos = b.end();
    }
    return seen;
  }

  @Test
  void read_afterAppends_returnsRecordsInOrderAcrossSegments() throws Exception {
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 4096)) {
      for (int i = 1; i <= 50; i++) {
        q.append(List.of(record(i, 300)));
      }
      assertThat(q.pendingSamples()).isEqualTo(50 * 51 / 2);
      assertThat(q.segmentCount()).isGreaterThan(3);
      List<Integer> seen = drain(q);
      assertThat(seen).hasSize(50).isSorted().first().isEqualTo(1);
      assertThat(q.pendingBytes()).isZero();
      assertThat(q.pendingSamples()).isZero();
      assertThat(q.segmentCount()).isEqualTo(1); // sent segments deleted, the head kept
    }
  }

  @Test
  void open_afterRestart_resumesAtTheAcknowledgedRecord() throws Exception {
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 4096)) {
      for (int i = 1; i <= 20; i++) {
        q.append(List.of(record(i, 300)));
      }
      DiskQueue.Batch b = q.read(q.ackedPosition(), 1);
      q.ack(b.end(), b.samples()); // record 1 sent
    }
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 4096)) {
      assertThat(q.pendingSamples()).isEqualTo(20 * 21 / 2 - 1);
      q.append(List.of(record(21, 10)));
      assertThat(drain(q)).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(2, 21).boxed().toList());
    }
  }

  @Test
  void open_tornTail_cutsItAndKeepsWhatCameBefore() throws Exception {
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 1 << 20)) {
      q.append(List.of(record(1, 100)));
      q.append(List.of(record(2, 100)));
    }
    Path seg;
    try (var s = Files.list(dir)) {
      seg = s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 7); // a crash in the middle of the second record
    }
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 1 << 20)) {
      q.append(List.of(record(3, 100)));
      assertThat(drain(q)).containsExactly(1, 3);
    }
  }

  @Test
  void read_corruptRecordInOlderSegment_skipsOnlyThatSegmentsRest() throws Exception {
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 4096)) {
      for (int i = 1; i <= 30; i++) {
        q.append(List.of(record(i, 1000)));
      }
    }
    Path first;
    try (var s = Files.list(dir)) {
      first = s.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(first);
    bytes[DiskQueue.HEADER + 1000 + DiskQueue.HEADER + 5] ^= 0x55; // payload of the second record
    Files.write(first, bytes);
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 4096)) {
      List<Integer> seen = drain(q);
      assertThat(seen).startsWith(1, 5).hasSize(27).isSorted().last().isEqualTo(30);
    }
  }

  @Test
  void append_overTheBound_refusesAndKeepsEverythingBefore() throws Exception {
    try (DiskQueue q = DiskQueue.open(dir, 1 << 20, 64 * 1024)) {
      int stored = 0;
      try {
        while (true) {
          q.append(List.of(record(stored % 100, 10_000)));
          stored++;
        }
      } catch (DiskQueue.FullException e) {
        assertThat(e.getMessage()).contains("local buffer full").contains("of 1048576");
      }
      assertThat(stored).isEqualTo((1 << 20) / (10_000 + DiskQueue.HEADER));
      assertThatThrownBy(() -> q.append(List.of(record(1, 10_000)))).isInstanceOf(DiskQueue.FullException.class);
      DiskQueue.Batch b = q.read(q.ackedPosition(), 1);
      q.ack(b.end(), b.samples());
      q.append(List.of(record(1, 10_000))); // room again once the store took one
      assertThat(drain(q)).hasSize(stored);
    }
  }
}
