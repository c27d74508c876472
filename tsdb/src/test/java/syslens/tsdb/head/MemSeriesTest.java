package syslens.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.storage.Appender;
import syslens.storage.Labels;

class MemSeriesTest {
  private static final Labels A = Labels.of("__name__", "up", "instance", "a");
  private static final long HOUR = 3_600_000L;

  private static MemSeries fill(Head head, long... ts) {
    for (long t : ts) {
      Appender app = head.appender();
      app.append(A, t, t / 1000.0);
      app.commit();
    }
    return head.series().iterator().next();
  }

  private static List<long[]> ranges(List<ChunkMeta> chunks) {
    return chunks.stream().map(c -> new long[] {c.minTime(), c.maxTime()}).toList();
  }

  @Test
  void append_cutsAtEveryChunkRangeBoundary_evenBeforeNegativeTimes() {
    Head head = Head.create(HeadOptions.builder().chunkRange(HOUR).build(), CommitLog.NONE);
    // Chunk ranges [-1h, 0), [0, 1h), [1h, 2h), [3h, 4h): the cached end of each open chunk is
    // its own range's, recomputed at every cut (not the first chunk's, not a fixed step).
    MemSeries s = fill(head, -10, -5, 0, HOUR - 1, HOUR, HOUR + 5, 3 * HOUR + 7, 4 * HOUR - 1);
    assertThat(ranges(s.closedChunks())).containsExactly(
        new long[] {-10, -5}, new long[] {0, HOUR - 1}, new long[] {HOUR, HOUR + 5});
    assertThat(ranges(s.chunks(Long.MIN_VALUE, Long.MAX_VALUE))).last()
        .isEqualTo(new long[] {3 * HOUR + 7, 4 * HOUR - 1});
  }

  @Test
  void dropBefore_oneOrManyClosedChunks_keepsWhatEndsLater() {
    Head head = Head.create(HeadOptions.builder().chunkSize(2).build(), CommitLog.NONE);
    MemSeries s = fill(head, 1, 2, 3, 4, 5, 6, 7);
    assertThat(s.closedChunks()).hasSize(3);
    s.dropBefore(3);
    assertThat(ranges(s.closedChunks())).containsExactly(new long[] {3, 4}, new long[] {5, 6});
    assertThat(s.minTime()).isEqualTo(3);
    s.dropBefore(5);
    assertThat(ranges(s.closedChunks())).containsExactly(new long[] {5, 6}); // one chunk, no array
    assertThat(ranges(s.chunks(0, 100))).containsExactly(new long[] {5, 6}, new long[] {7, 7});
    s.dropBefore(8);
    assertThat(s.closedChunks()).isEmpty();
    assertThat(s.isEmpty()).isTrue();
    assertThat(s.outOfOrderChunks(Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void closedChunks_restoredOneThenAppended_oldestFirst() {
    Head head = Head.create(HeadOptions.builder().chunkSize(2).build(), CommitLog.NONE);
    MemSeries s = fill(head, 10, 20, 30);
    Head restarted = Head.create(HeadOptions.builder().chunkSize(2).build(), CommitLog.NONE);
    restarted.restoreAll(List.of(s.checkpointState()));
    MemSeries r = fill(restarted, 40, 50, 60);
    assertThat(ranges(r.closedChunks()))
        .containsExactly(new long[] {10, 20}, new long[] {30, 30}, new long[] {40, 50});
    assertThat(r.minTime()).isEqualTo(10);
    assertThat(r.maxTime()).isEqualTo(60);
  }
}
