package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.tsdb.testdata.Recording;

/**
 * Bytes per sample on disk (chunks + index + meta.json) of whole blocks holding the real
 * node_exporter recording and synthetic 10 s hosts replaying it; the target is <= 1.0.
 */
class BlockSizeTest {
  static Recording rec;
  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    rec = Recording.load();
  }

  /** Writes hosts x series into one block; returns bytes on disk per sample. */
  double write(java.util.function.IntFunction<List<Recording.Series>> seriesOfHost, int hosts, String what)
      throws Exception {
    TreeMap<Labels, Recording.Series> sorted = new TreeMap<>();
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    for (int h = 0; h < hosts; h++) {
      for (Recording.Series s : seriesOfHost.apply(h)) {
        Labels l = Recording.labels(s.name()).toBuilder().set("instance", "host-" + h).build();
        sorted.put(l, s);
        mint = Math.min(mint, s.ts()[0]);
        maxt = Math.max(maxt, s.ts()[s.ts().length - 1]);
      }
    }
    BlockMeta meta;
    try (BlockWriter w = BlockWriter.builder(dir, mint, maxt).build()) {
      for (var e : sorted.entrySet()) {
        w.addSeries(e.getKey(), e.getValue().ts(), e.getValue().vs(), e.getValue().ts().length);
      }
      meta = w.commit();
    }
    Path b = dir.resolve(meta.id());
    long total = 0;
    try (var files = Files.walk(b)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
    }
    long chunkBytes = 0;
    try (var files = Files.walk(b.resolve("chunks"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        chunkBytes += Files.size(p);
      }
    }
    double perSample = (double) total / meta.stats().numSamples();
    System.out.printf("%-32s %d series %d samples: %.3f B/sample on disk (chunks %.3f)%n", what,
        meta.stats().numSeries(), meta.stats().numSamples(), perSample,
        (double) chunkBytes / meta.stats().numSamples());
    try (Block blk = Block.open(b)) {
      blk.verifyChunks();
    }
    return perSample;
  }

  @Test
  void commit_realRecording_underOneBytePerSample() throws Exception {
    assertThat(write(h -> rec.series(), 1, "recording 1s, 1 host")).isLessThanOrEqualTo(1.0);
  }

  @Test
  void commit_synthetic10sAligned_underOneBytePerSample() throws Exception {
    assertThat(write(h -> rec.synthetic10s(720, 0, h), 4, "synthetic 10s aligned, 4 hosts"))
        .isLessThanOrEqualTo(1.0);
  }

  @Test
  void commit_synthetic10sJittered_underOneBytePerSample() throws Exception {
    assertThat(write(h -> rec.synthetic10s(720, 50, h), 4,
        "synthetic 10s jitter 50ms, 4 hosts"))
        .isLessThanOrEqualTo(1.0);
  }
}
