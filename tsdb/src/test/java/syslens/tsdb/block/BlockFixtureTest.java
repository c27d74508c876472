package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Matcher;
import syslens.storage.Querier;

/** A block written by format version 1 stays readable: the fixture's bytes never change. */
class BlockFixtureTest {
  @TempDir Path tmp;

  @Test
  void open_formatV1Fixture_readsExpectedContent() throws Exception {
    Path src = Path.of("src/test/resources/fixtures/block-v1", BlockFixtures.V1_ID);
    Path dst = tmp.resolve(BlockFixtures.V1_ID);
    Files.createDirectories(dst.resolve("chunks"));
    for (String f : List.of("meta.json", "index", "chunks/000001")) {
      Files.copy(src.resolve(f), dst.resolve(f));
    }
    try (Blocks blocks = Blocks.open(tmp)) {
      assertThat(blocks.failures()).isEmpty();
      Block b = blocks.blocks().get(0);
      assertThat(b.meta().version()).isEqualTo(1);
      assertThat(b.meta().stats().numSeries()).isEqualTo(6);
      b.verifyChunks();
      var content = BlockFixtures.v1Content();
      try (Querier q = blocks.querier(BlockFixtures.MINT, BlockFixtures.MAXT)) {
        List<Matcher> all = List.of(Matcher.regex("__name__", ".+"));
        assertThat(BlockTestSupport.printable(BlockTestSupport.read(q, all))).isEqualTo(
            BlockTestSupport.printable(BlockTestSupport.expect(content, all, BlockFixtures.MINT, BlockFixtures.MAXT)));
        assertThat(q.labelValues("job")).containsExactly("node \"quoted\" ü");
        assertThat(q.labelNames()).containsExactly("__name__", "cpu", "instance", "job", "mode");
      }
    }
  }
}
