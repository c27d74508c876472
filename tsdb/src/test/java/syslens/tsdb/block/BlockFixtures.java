package syslens.tsdb.block;

import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;
import syslens.storage.Labels;

/**
 * The content of the format-version-1 fixture under
 * {@code src/test/resources/fixtures/block-v1/}. Run {@link #main} (test classpath) to write it
 * again only when adding a new format version's fixture; version 1's bytes must stay as they are.
 */
final class BlockFixtures {
  static final String V1_ID = "01KB0000000000000000000001";
  static final long MINT = 1_764_000_000_000L;
  static final long MAXT = MINT + 7_200_000L - 1;

  private BlockFixtures() {}

  static TreeMap<Labels, TreeMap<Long, Double>> v1Content() {
    TreeMap<Labels, TreeMap<Long, Double>> m = new TreeMap<>();
    for (String cpu : new String[] {"0", "1"}) {
      for (String mode : new String[] {"idle", "user"}) {
        TreeMap<Long, Double> s = new TreeMap<>();
        for (int i = 0; i < 720; i++) {
          s.put(MINT + 10_000L * i, (cpu.equals("0") ? 1000.0 : 2000.0) + i * (mode.equals("idle") ? 9.87 : 0.13));
        }
        m.put(Labels.of("__name__", "node_cpu_seconds_total", "instance", "host-a", "cpu", cpu, "mode", mode), s);
      }
    }
    TreeMap<Long, Double> mem = new TreeMap<>();
    for (int i = 0; i < 720; i++) {
      mem.put(MINT + 10_000L * i, 8_000_000_000.0 + 4096.0 * (i % 13));
    }
    mem.put(MINT + 7_190_000L, Double.longBitsToDouble(0x7ff0000000000002L)); // stale marker
    m.put(Labels.of("__name__", "node_memory_MemAvailable_bytes", "instance", "host-a"), mem);
    TreeMap<Long, Double> up = new TreeMap<>();
    up.put(MINT + 5, 1.0);
    up.put(MINT + 60_000, 0.0);
    up.put(MAXT, 1.0);
    m.put(Labels.of("__name__", "up", "instance", "host-b", "job", "node \"quoted\" ü"), up);
    return m;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    try (BlockWriter w = BlockWriter.builder(dir, MINT, MAXT).id(V1_ID).build()) {
      for (var e : v1Content().entrySet()) {
        long[] ts = e.getValue().keySet().stream().mapToLong(Long::longValue).toArray();
        double[] vs = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
        w.addSeries(e.getKey(), ts, vs, ts.length);
      }
      w.commit();
    }
  }
}
