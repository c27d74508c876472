package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;

/** Any single damaged byte anywhere in a block is caught at open: never silently loaded. */
class BlockFuzzTest {
  @Property(tries = 60)
  void open_anyFlippedByte_blockSkippedNeverLoadedWrong(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    TreeMap<Labels, TreeMap<Long, Double>> model = BlockPropertiesTest.randomModel(r, 1 + r.nextInt(20), 0, 7_199_999);
    Path dir = Files.createTempDirectory("fuzz");
    try {
      BlockMeta meta = BlockTestSupport.write(dir, model, 0, 7_199_999);
      Path b = dir.resolve(meta.id());
      List<Path> files;
      try (var s = Files.walk(b)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      Path victim = files.get(r.nextInt(files.size()));
      long pos;
      int mask = 1 << r.nextInt(8);
      try (RandomAccessFile raf = new RandomAccessFile(victim.toFile(), "rw")) {
        pos = (long) (r.nextDouble() * raf.length());
        raf.seek(pos);
        int v = raf.read();
        raf.seek(pos);
        raf.write(v ^ mask);
      }
      try (Blocks blocks = Blocks.open(dir)) {
        if (blocks.blocks().isEmpty()) {
          assertThat(blocks.failures()).hasSize(1);
          return;
        }
        // Loaded despite the flip: only acceptable if what it serves is exactly the original.
        List<Matcher> all = List.of(Matcher.regex("__name__", ".+"));
        try (Querier q = blocks.querier(0, 7_199_999)) {
          assertThat(BlockTestSupport.printable(BlockTestSupport.read(q, all)))
              .as("flipped bit %d of byte %d in %s, loaded", mask, pos, victim.getFileName())
              .isEqualTo(BlockTestSupport.printable(BlockTestSupport.expect(model, all, 0, 7_199_999)));
        }
        assertThat(blocks.blocks().get(0).meta()).isEqualTo(meta);
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }
}
