package syslens.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.tsdb.testdata.Recording;

/**
 * A measurement, not part of the suite: one 2 h block of N synthetic hosts (the recording replayed
 * at 10 s with ±50 ms jitter), write throughput, bytes/sample, open time and two queries.
 * Run: {@code ./mvnw -q -o -pl tsdb -am test -Dtest=BlockScaleTest -Dsyslens.scale.hosts=200
 * -Dsurefire.failIfNoSpecifiedTests=false}; figures go to the test's output file.
 */
@EnabledIfSystemProperty(named = "syslens.scale.hosts", matches = "\\d+")
class BlockScaleTest {
  @Test
  void writeOpenQuery_manyHosts_printsFigures() throws Exception {
    int hosts = Integer.parseInt(System.getProperty("syslens.scale.hosts"));
    Recording rec = Recording.load();
    List<List<Recording.Series>> variants = new ArrayList<>();
    for (int v = 0; v < 4; v++) {
      variants.add(rec.synthetic10s(720, 50, v));
    }
    TreeMap<Labels, Recording.Series> sorted = new TreeMap<>();
    for (int h = 0; h < hosts; h++) {
      for (Recording.Series s : variants.get(h % 4)) {
        sorted.put(Recording.labels(s.name()).toBuilder().set("instance", "host-" + h).build(), s);
      }
    }
    Path dir = Files.createTempDirectory("scale");
    try {
      long t0 = System.nanoTime();
      BlockMeta meta;
      try (BlockWriter w = BlockWriter.builder(dir, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2).build()) {
        for (var e : sorted.entrySet()) {
          w.addSeries(e.getKey(), e.getValue().ts(), e.getValue().vs(), e.getValue().ts().length);
        }
        meta = w.commit();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double perSample = (double) meta.stats().numBytes() / meta.stats().numSamples();
      System.out.printf("write: %d series, %d samples in %.1f s = %.2f M samples/s, %.3f B/sample%n",
          meta.stats().numSeries(), meta.stats().numSamples(), secs, meta.stats().numSamples() / secs / 1e6, perSample);
      long o0 = System.nanoTime();
      try (Blocks blocks = Blocks.open(dir)) {
        System.out.printf("open with CRC scan: %.1f ms%n", (System.nanoTime() - o0) / 1e6);
        for (int rep = 0; rep < 6; rep++) {
          long q0 = System.nanoTime();
          long one = count(blocks, List.of(Matcher.equal("__name__", "node_cpu_seconds_total"),
              Matcher.equal("instance", "host-7")));
          long q1 = System.nanoTime();
          long all = count(blocks, List.of(Matcher.equal("__name__", "node_cpu_seconds_total"),
              Matcher.regex("mode", "idle|user"), Matcher.regex("instance", "host-.*")));
          long q2 = System.nanoTime();
          System.out.printf("one host's CPU: %d samples %.1f ms; every host's idle|user CPU: %d samples %.1f ms%n",
              one, (q1 - q0) / 1e6, all, (q2 - q1) / 1e6);
        }
      }
      assertThat(perSample).isLessThanOrEqualTo(1.0);
    } finally {
      Blocks.deleteRecursively(dir);
    }
  }

  static long count(Blocks blocks, List<Matcher> ms) {
    long n = 0;
    try (Querier q = blocks.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      for (Series s : q.select(ms)) {
        SampleIterator it = s.iterator();
        while (it.next()) {
          n++;
        }
      }
    }
    return n;
  }
}
