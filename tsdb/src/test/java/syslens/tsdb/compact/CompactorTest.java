package syslens.tsdb.compact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;

class CompactorTest {
  static final long H2 = 7_200_000L;
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
  @TempDir Path dir;

  /** Writes the part of the model inside [mint, maxt] as one block. */
  static BlockMeta writeSlice(Path dir, TreeMap<Labels, TreeMap<Long, Double>> model, long mint, long maxt)
      throws Exception {
    try (BlockWriter w = BlockWriter.builder(dir, mint, maxt).clock(CLOCK).build()) {
      for (var e : model.entrySet()) {
        var sub = e.getValue().subMap(mint, true, maxt, true);
        long[] ts = sub.keySet().stream().mapToLong(Long::longValue).toArray();
        double[] vs = sub.values().stream().mapToDouble(Double::doubleValue).toArray();
        w.addSeries(e.getKey(), ts, vs, ts.length);
      }
      return w.commit();
    }
  }

  static Map<Labels, TreeMap<Long, Long>> readAll(Querier q) {
    Map<Labels, TreeMap<Long, Long>> out = new TreeMap<>();
    for (Series s : q.select(List.of(Matcher.regex("__name__", ".+")))) {
      TreeMap<Long, Long> m = new TreeMap<>();
      SampleIterator it = s.iterator();
      long prev = Long.MIN_VALUE;
      while (it.next()) {
        assertThat(it.timestamp()).isGreaterThan(prev); // each timestamp once, ascending
        prev = it.timestamp();
        m.put(it.timestamp(), Double.doubleToRawLongBits(it.value()));
      }
      out.put(s.labels(), m);
    }
    return out;
  }

  static Map<Labels, TreeMap<Long, Long>> bits(TreeMap<Labels, TreeMap<Long, Double>> model) {
    Map<Labels, TreeMap<Long, Long>> out = new TreeMap<>();
    model.forEach((l, s) -> {
      TreeMap<Long, Long> m = new TreeMap<>();
      s.forEach((t, v) -> m.put(t, Double.doubleToRawLongBits(v)));
      out.put(l, m);
    });
    return out;
  }

  static TreeMap<Labels, TreeMap<Long, Double>> model(Random r, int series, long maxt) {
    TreeMap<Labels, TreeMap<Long, Double>> m = new TreeMap<>();
    for (int i = 0; i < series; i++) {
      TreeMap<Long, Double> s = new TreeMap<>();
      for (int k = r.nextInt(400); k > 0; k--) {
        s.put((long) (r.nextDouble() * maxt), (double) r.nextInt(10_000) / 10);
      }
      if (!s.isEmpty()) {
        m.put(Labels.of("__name__", "m" + r.nextInt(5), "i", Integer.toString(i)), s);
      }
    }
    return m;
  }

  @Property(tries = 15)
  void compactAll_adjacentAndOverlappingBlocks_equalModel(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 30) int series) throws Exception {
    Random r = new Random(seed);
    Path d = Files.createTempDirectory("compact");
    try {
      long maxt = 3 * H2 - 1;
      TreeMap<Labels, TreeMap<Long, Double>> model = model(r, series, maxt);
      for (int b = 0; b < 3; b++) {
        writeSlice(d, model, b * H2, (b + 1) * H2 - 1);
      }
      // An overlapping block repeating part of the data (e.g. an out-of-order head cut).
      long a = r.nextInt((int) (2 * H2));
      writeSlice(d, model, a, a + H2);
      try (Blocks blocks = Blocks.open(d)) {
        Compactor c = Compactor.create(blocks, List.of(H2, 3 * H2), CLOCK);
        List<BlockMeta> written = c.compactAll();
        assertThat(written).isNotEmpty();
        assertThat(blocks.blocks()).hasSize(1);
        BlockMeta m = blocks.blocks().get(0).meta();
        assertThat(m.compaction().sources()).hasSize(4);
        try (Querier q = blocks.querier(0, maxt)) {
          assertThat(readAll(q)).isEqualTo(bits(model));
        }
      }
      try (Blocks reopened = Blocks.open(d)) {
        assertThat(reopened.blocks()).hasSize(1);
        assertThat(reopened.failures()).isEmpty();
      }
    } finally {
      Blocks.deleteRecursively(d);
    }
  }

  @Test
  void plan_incompleteWindow_notCompacted() throws Exception {
    TreeMap<Labels, TreeMap<Long, Double>> m = model(new Random(1), 5, 3 * H2);
    writeSlice(dir, m, 0, H2 - 1);
    writeSlice(dir, m, H2, 2 * H2 - 1);
    try (Blocks blocks = Blocks.open(dir)) {
      Compactor c = Compactor.create(blocks, List.of(H2, 3 * H2), CLOCK);
      assertThat(c.plan()).isEmpty(); // the 6 h window [0, 6h) is not complete yet
      writeSlice(dir, m, 2 * H2, 3 * H2 - 1);
    }
    try (Blocks blocks = Blocks.open(dir)) {
      Compactor c = Compactor.create(blocks, List.of(H2, 3 * H2), CLOCK);
      List<Compactor.Plan> plans = c.plan();
      assertThat(plans).hasSize(1);
      assertThat(plans.get(0).sources()).hasSize(3);
      assertThat(plans.get(0).vertical()).isFalse();
    }
  }

  @Test
  void compact_sourceInUse_deletedOnlyAfterReaderCloses() throws Exception {
    TreeMap<Labels, TreeMap<Long, Double>> m = model(new Random(2), 5, 3 * H2);
    BlockMeta first = writeSlice(dir, m, 0, H2 - 1);
    writeSlice(dir, m, H2, 2 * H2 - 1);
    writeSlice(dir, m, 2 * H2, 3 * H2 - 1);
    try (Blocks blocks = Blocks.open(dir)) {
      Block src = blocks.blocks().get(0);
      Querier reader = src.querier(0, H2 - 1);
      Compactor c = Compactor.create(blocks, List.of(H2, 3 * H2), CLOCK);
      c.compact(c.plan().get(0));
      assertThat(dir.resolve(first.id())).exists();
      var before = readAll(reader); // still readable while pinned
      assertThat(before).isNotEmpty();
      reader.close();
      assertThat(dir.resolve(first.id())).doesNotExist();
      assertThat(src.refCount()).isZero();
    }
  }

  @Test
  void open_crashAfterCompactionBeforeDelete_removesReplacedSources() throws Exception {
    TreeMap<Labels, TreeMap<Long, Double>> m = model(new Random(3), 5, 3 * H2);
    for (int b = 0; b < 3; b++) {
      writeSlice(dir, m, b * H2, (b + 1) * H2 - 1);
    }
    // Simulate the crash: copy the sources aside, compact, then put them back.
    Path aside = Files.createTempDirectory("aside");
    List<Path> srcDirs;
    try (var s = Files.list(dir)) {
      srcDirs = s.toList();
    }
    for (Path p : srcDirs) {
      copyTree(p, aside.resolve(p.getFileName()));
    }
    try (Blocks blocks = Blocks.open(dir)) {
      Compactor.create(blocks, List.of(H2, 3 * H2), CLOCK).compactAll();
    }
    for (Path p : srcDirs) {
      copyTree(aside.resolve(p.getFileName()), p);
    }
    try (Blocks blocks = Blocks.open(dir)) {
      assertThat(blocks.blocks()).hasSize(1);
      try (Querier q = blocks.querier(0, 3 * H2)) {
        assertThat(readAll(q)).isEqualTo(bits(m));
      }
    }
    for (Path p : srcDirs) {
      assertThat(p).doesNotExist();
    }
    Blocks.deleteRecursively(aside);
  }

  @Test
  void compactAll_whileQueriesRun_everyQuerySeesAllDataOnce() throws Exception {
    TreeMap<Labels, TreeMap<Long, Double>> m = model(new Random(4), 20, 9 * H2);
    for (int b = 0; b < 9; b++) {
      writeSlice(dir, m, b * H2, (b + 1) * H2 - 1);
    }
    var want = bits(m);
    try (Blocks blocks = Blocks.open(dir)) {
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger queries = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
      List<java.util.concurrent.Future<?>> readers = new java.util.ArrayList<>();
      var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        for (int t = 0; t < 2; t++) {
          readers.add(pool.submit(() -> {
            boolean first = true;
            while (!stop.get() || first) {
              try (Querier q = blocks.querier(0, 9 * H2)) {
                assertThat(readAll(q)).isEqualTo(want);
              }
              queries.incrementAndGet();
              if (first) {
                started.countDown();
                first = false;
              }
            }
            return null;
          }));
        }
        started.await();
        List<BlockMeta> written = Compactor.create(blocks, List.of(H2, 3 * H2, 9 * H2), CLOCK).compactAll();
        assertThat(written).hasSize(4); // three 6 h blocks, then one 18 h block
        stop.set(true);
        for (var f : readers) {
          f.get(); // rethrows a reader's assertion failure
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(blocks.blocks()).hasSize(1);
      assertThat(queries.get()).isGreaterThanOrEqualTo(2);
    }
    try (var s = Files.list(dir)) {
      assertThat(s.count()).isEqualTo(1); // every source deleted once its readers were done
    }
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
