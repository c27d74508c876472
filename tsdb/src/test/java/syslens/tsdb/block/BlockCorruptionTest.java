package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;

/** A damaged block is reported naming the file and skipped; the intact blocks still load. */
class BlockCorruptionTest {
  @TempDir Path dir;
  TreeMap<Labels, TreeMap<Long, Double>> model;
  BlockMeta good;
  BlockMeta victim;

  @BeforeEach
  void setUp() throws Exception {
    model = BlockPropertiesTest.randomModel(new Random(7), 40, 0, 7_199_999);
    good = BlockTestSupport.write(dir, model, 0, 7_199_999);
    victim = BlockTestSupport.write(dir, model, 0, 7_199_999);
  }

  static void flipByte(Path f, long pos) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(b ^ 0x40);
    }
  }

  static void truncate(Path f, long by) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(raf.length() - by);
    }
  }

  void assertSkipped(String fileName) throws Exception {
    try (Blocks blocks = Blocks.open(dir)) {
      assertThat(blocks.blocks()).extracting(b -> b.meta().id()).containsExactly(good.id());
      assertThat(blocks.failures()).hasSize(1);
      assertThat(blocks.failures().get(0).dir()).isEqualTo(dir.resolve(victim.id()));
      assertThat(blocks.failures().get(0).reason()).contains(fileName);
      try (Querier q = blocks.querier(0, 7_199_999)) {
        assertThat(BlockTestSupport.read(q, List.of(Matcher.regex("__name__", ".+"))))
            .hasSameSizeAs(BlockTestSupport.expect(model, List.of(), 0, 7_199_999));
      }
    }
    assertThat(dir.resolve(victim.id())).exists(); // left for inspection, never deleted
  }

  @Test
  void open_flippedIndexByte_reportedAndSkipped() throws Exception {
    Path index = dir.resolve(victim.id()).resolve("index");
    flipByte(index, Files.size(index) / 2);
    assertThatThrownBy(() -> Block.open(dir.resolve(victim.id())))
        .isInstanceOf(CorruptBlockException.class).hasMessageContaining("index").hasMessageContaining("CRC32C");
    assertSkipped("index");
  }

  @Test
  void open_flippedChunkByte_reportedAndSkipped() throws Exception {
    Path seg = dir.resolve(victim.id()).resolve("chunks").resolve("000001");
    flipByte(seg, Files.size(seg) / 2);
    assertSkipped("000001");
  }

  @Test
  void open_truncatedChunks_reportedAndSkipped() throws Exception {
    truncate(dir.resolve(victim.id()).resolve("chunks").resolve("000001"), 10);
    assertSkipped("000001");
  }

  @Test
  void open_truncatedIndex_reportedAndSkipped() throws Exception {
    truncate(dir.resolve(victim.id()).resolve("index"), 3);
    assertSkipped("index");
  }

  @Test
  void open_garbledMeta_reportedAndSkipped() throws Exception {
    Files.writeString(dir.resolve(victim.id()).resolve("meta.json"), "{\"id\": 12");
    assertSkipped("meta.json");
  }

  @Test
  void open_missingMeta_reportedAndSkipped() throws Exception {
    Files.delete(dir.resolve(victim.id()).resolve("meta.json"));
    assertSkipped("meta.json");
  }

  @Test
  void open_unfinishedTmpDirectory_deleted() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve(BlockId.next(1) + ".tmp").resolve("chunks"));
    try (Blocks blocks = Blocks.open(dir)) {
      assertThat(blocks.blocks()).hasSize(2);
    }
    assertThat(tmp.getParent()).doesNotExist();
  }

  @Test
  void select_chunkDamagedAfterOpen_throwsNamingFile() throws Exception {
    try (Block b = Block.open(dir.resolve(victim.id()))) {
      Path seg = dir.resolve(victim.id()).resolve("chunks").resolve("000001");
      // The mapping sees the change: a chunk damaged on disk after opening fails its CRC.
      flipByte(seg, Files.size(seg) - 6);
      assertThatThrownBy(b::verifyChecksums).isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining("000001").hasMessageContaining("CRC32C");
    }
  }
}
