package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.tsdb.head.CommitLog;
import syslens.tsdb.head.Head;

/**
 * Any sequence of appends, queried back through blocks cut from the head (and the head for what
 * is newer), equals the reference model: the path the engine takes every 2 h.
 */
class HeadCutTest {
  @Property(tries = 10)
  void writeFrom_headCutIntoBlocks_mergedQueryEqualsModel(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 40) int series) throws Exception {
    Random r = new Random(seed);
    long h2 = 7_200_000L;
    TreeMap<Labels, TreeMap<Long, Double>> model = BlockPropertiesTest.randomModel(r, series, 0, 3 * h2 - 1);
    Head head = Head.create(120, CommitLog.NONE);
    Appender app = head.appender();
    // Append in timestamp order per series, as ingest does.
    for (var e : model.entrySet()) {
      for (var s : e.getValue().entrySet()) {
        app.append(e.getKey(), s.getKey(), s.getValue());
      }
    }
    app.commit();
    Path dir = Files.createTempDirectory("headcut");
    try (Blocks blocks = Blocks.open(dir)) {
      for (int b = 0; b < 2; b++) { // cut the first two 2 h ranges; the third stays in the head
        try (Querier hq = head.querier(b * h2, (b + 1) * h2 - 1)) {
          blocks.writeFrom(hq, b * h2, (b + 1) * h2 - 1, Clock.systemUTC());
        }
      }
      long qmin = r.nextInt((int) (3 * h2));
      long qmax = qmin + r.nextInt((int) (3 * h2));
      List<Matcher> ms = List.of(Matcher.regex("__name__", ".+"));
      try (Querier q = MergingQuerier.of(List.of(blocks.querier(qmin, qmax), head.querier(qmin, qmax)))) {
        assertThat(BlockTestSupport.printable(BlockTestSupport.read(q, ms, true)))
            .isEqualTo(BlockTestSupport.printable(BlockTestSupport.expect(model, ms, qmin, qmax)));
      }
      // Only the block part, for the ranges cut: equal to the model restricted to them.
      try (Querier q = blocks.querier(0, 2 * h2 - 1)) {
        assertThat(BlockTestSupport.printable(BlockTestSupport.read(q, ms)))
            .isEqualTo(BlockTestSupport.printable(BlockTestSupport.expect(model, ms, 0, 2 * h2 - 1)));
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }
}
