package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;

/** Any set of appends written to a block and read back equals a simple reference model. */
class BlockPropertiesTest {
  static final String[] JOBS = {"node", "vsphere", "app"};
  static final String[] NAMES = {"up", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "x"};

  static TreeMap<Labels, TreeMap<Long, Double>> randomModel(Random r, int series, long mint, long maxt) {
    TreeMap<Labels, TreeMap<Long, Double>> model = new TreeMap<>();
    for (int i = 0; i < series; i++) {
      Labels l = Labels.of("__name__", NAMES[r.nextInt(NAMES.length)], "job", JOBS[r.nextInt(JOBS.length)],
          "instance", "h" + r.nextInt(20), r.nextBoolean() ? "cpu" : "mode", Integer.toString(r.nextInt(4)));
      TreeMap<Long, Double> samples = model.computeIfAbsent(l, k -> new TreeMap<>());
      int n = r.nextInt(300);
      for (int k = 0; k < n; k++) {
        long t = mint + (long) (r.nextDouble() * (maxt - mint + 1));
        double v = switch (r.nextInt(5)) {
          case 0 -> r.nextInt(1000);
          case 1 -> r.nextInt(100000) / 100.0;
          case 2 -> r.nextDouble();
          case 3 -> Double.longBitsToDouble(0x7ff0000000000002L);
          default -> r.nextGaussian() * 1e9;
        };
        samples.put(Math.min(maxt, t), v);
      }
    }
    model.values().removeIf(TreeMap::isEmpty);
    return model;
  }

  static List<List<Matcher>> matcherSets(Random r) {
    List<List<Matcher>> out = new ArrayList<>();
    out.add(List.of(Matcher.equal("__name__", NAMES[r.nextInt(NAMES.length)])));
    out.add(List.of(Matcher.regex("job", "node|app"), Matcher.notEqual("instance", "h" + r.nextInt(20))));
    out.add(List.of(Matcher.regex("__name__", "node_.*"), Matcher.notRegex("cpu", "1|2")));
    out.add(List.of(Matcher.regex("__name__", ".+"), Matcher.equal("mode", "")));
    out.add(List.of(Matcher.equal("job", "missing")));
    out.add(List.of(Matcher.regex("instance", "h1.*")));
    return out;
  }

  @Property(tries = 40)
  void select_anyAppendsWrittenToBlock_equalsModel(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 60) int series) throws Exception {
    Random r = new Random(seed);
    long mint = 1_764_000_000_000L + r.nextInt(1000);
    long maxt = mint + 7_200_000L - 1;
    TreeMap<Labels, TreeMap<Long, Double>> model = randomModel(r, series, mint, maxt);
    Path dir = Files.createTempDirectory("blockprop");
    try {
      BlockMeta meta = BlockTestSupport.write(dir, model, mint, maxt);
      assertThat(meta.stats().numSeries()).isEqualTo(model.size());
      try (Block b = Block.open(dir.resolve(meta.id()))) {
        b.verifyChunks();
        for (List<Matcher> ms : matcherSets(r)) {
          long qmin = mint + r.nextInt(3_600_000);
          long qmax = qmin + r.nextInt(7_200_000);
          try (Querier q = b.querier(qmin, qmax)) {
            assertThat(BlockTestSupport.printable(BlockTestSupport.read(q, ms)))
                .as("%s over %d..%d", ms, qmin, qmax)
                .isEqualTo(BlockTestSupport.printable(BlockTestSupport.expect(model, ms, qmin, qmax)));
          }
        }
        try (Querier q = b.querier(mint, maxt)) {
          List<String> names = model.keySet().stream().flatMap(l -> l.toMap().keySet().stream())
              .distinct().sorted().toList();
          assertThat(q.labelNames()).isEqualTo(names);
          assertThat(q.labelValues("job")).isEqualTo(model.keySet().stream().map(l -> l.get("job"))
              .distinct().sorted().toList());
        }
      }
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }
}
