package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;

class BlockWriterTest {
  @TempDir Path dir;

  @Test
  void addSeries_outOfOrderLabels_rejectedNamingBoth() throws Exception {
    try (BlockWriter w = BlockWriter.builder(dir, 0, 1000).build()) {
      w.addSeries(Labels.of("__name__", "b"), new long[] {1}, new double[] {1}, 1);
      assertThatThrownBy(() -> w.addSeries(Labels.of("__name__", "a"), new long[] {1}, new double[] {1}, 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a{}").hasMessageContaining("b{}")
          .hasMessageContaining("expected: strictly increasing label order");
    }
  }

  @Test
  void addSeries_sampleOutsideRange_rejected() throws Exception {
    try (BlockWriter w = BlockWriter.builder(dir, 0, 1000).build()) {
      assertThatThrownBy(() -> w.addSeries(Labels.of("__name__", "a"), new long[] {5, 1001}, new double[] {1, 2}, 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1001")
          .hasMessageContaining("0..1000");
      assertThatThrownBy(() -> w.addSeries(Labels.of("__name__", "a"), new long[] {5, 5}, new double[] {1, 2}, 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
    }
  }

  @Test
  void close_withoutCommit_leavesNothing() throws Exception {
    try (BlockWriter w = BlockWriter.builder(dir, 0, 1000).build()) {
      w.addSeries(Labels.of("__name__", "a"), new long[] {1}, new double[] {1}, 1);
    }
    try (var s = Files.list(dir)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void commit_smallSegments_cutsSeveralChunkFiles() throws Exception {
    BlockMeta meta;
    try (BlockWriter w = BlockWriter.builder(dir, 0, 1_000_000).segmentBytes(1024).build()) {
      for (int s = 0; s < 50; s++) {
        long[] ts = new long[100];
        double[] vs = new double[100];
        for (int i = 0; i < 100; i++) {
          ts[i] = i * 1000L + s;
          vs[i] = Math.sin(i + s); // incompressible enough to fill segments
        }
        w.addSeries(Labels.of("__name__", "m", "s", String.format("%03d", s)), ts, vs, 100);
      }
      meta = w.commit();
    }
    assertThat(meta.files().stream().filter(f -> f.path().startsWith("chunks/")).count()).isGreaterThan(3);
    try (Block b = Block.open(dir.resolve(meta.id()))) {
      // Records: 50 series chunks plus 50 timestamp columns (each series is offset by s ms).
      assertThat(b.verifyChunks()).isEqualTo(2 * meta.stats().numChunks());
    }
  }
}
