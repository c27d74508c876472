package syslens.tsdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.storage.Labels;
import syslens.tsdb.chunkenc.XorChunk;
import syslens.tsdb.head.Checkpoint;
import syslens.tsdb.head.ChunkMeta;

/**
 * The content of the checkpoint fixtures under {@code src/test/resources/fixtures/checkpoint-vN/}.
 * Run {@link #main} (test classpath) only to add a new format version's fixture; the bytes of an
 * existing version must stay as they are.
 */
final class CheckpointFixtures {
  static final long T0 = 1_764_000_000_000L;
  /** The WAL segment the fixtures' checkpoints resume at (their file name). */
  static final int SEGMENT = 3;
  static final String FILE = "checkpoint.00000003";
  static final long STALE = 0x7ff0000000000002L;

  private CheckpointFixtures() {}

  /** Labels -> in-order samples (t -> value bits), as the fixtures hold them. */
  static Map<Labels, TreeMap<Long, Long>> inOrder() {
    Map<Labels, TreeMap<Long, Long>> m = new TreeMap<>();
    for (String cpu : new String[] {"0", "1"}) {
      TreeMap<Long, Long> s = new TreeMap<>();
      for (int i = 0; i < 300; i++) {
        s.put(T0 + 10_000L * i, Double.doubleToRawLongBits((cpu.equals("0") ? 1000.0 : 2000.0) + i * 9.87));
      }
      m.put(Labels.of("__name__", "node_cpu_seconds_total", "instance", "host-a", "cpu", cpu, "mode", "idle"), s);
    }
    TreeMap<Long, Long> mem = new TreeMap<>();
    for (int i = 0; i < 130; i++) {
      mem.put(T0 + 10_000L * i, Double.doubleToRawLongBits(8_000_000_000.0 + 4096.0 * (i % 13)));
    }
    mem.put(T0 + 10_000L * 130, STALE); // a staleness marker as the newest sample
    m.put(Labels.of("__name__", "node_memory_MemAvailable_bytes", "instance", "host-a"), mem);
    TreeMap<Long, Long> up = new TreeMap<>();
    up.put(T0 + 5, Double.doubleToRawLongBits(1.0));
    m.put(Labels.of("__name__", "up", "instance", "host-b", "job", "node \"quoted\" ü"), up);
    return m;
  }

  /** Out-of-order samples of the {@code up} series (older than its newest, kept beside it). */
  static TreeMap<Long, Long> outOfOrderUp() {
    TreeMap<Long, Long> s = new TreeMap<>();
    s.put(T0 - 60_000, Double.doubleToRawLongBits(0.0));
    s.put(T0 - 30_000, Double.doubleToRawLongBits(1.0));
    return s;
  }

  static List<Checkpoint.SeriesState> series() {
    List<Checkpoint.SeriesState> out = new ArrayList<>();
    long ref = 1;
    for (Map.Entry<Labels, TreeMap<Long, Long>> e : inOrder().entrySet()) {
      boolean up = e.getKey().metricName().equals("up");
      out.add(new Checkpoint.SeriesState(ref++, e.getKey(), chunks(e.getValue(), 120),
          up ? chunks(outOfOrderUp(), 120) : List.of()));
    }
    return out;
  }

  private static List<ChunkMeta> chunks(TreeMap<Long, Long> samples, int perChunk) {
    List<ChunkMeta> out = new ArrayList<>();
    XorChunk c = XorChunk.create();
    for (Map.Entry<Long, Long> s : samples.entrySet()) {
      if (c.numSamples() == perChunk) {
        out.add(new ChunkMeta(c.minTime(), c.maxTime(), c.bytes()));
        c = XorChunk.create();
      }
      c.append(s.getKey(), Double.longBitsToDouble(s.getValue()));
    }
    out.add(new ChunkMeta(c.minTime(), c.maxTime(), c.bytes()));
    return out;
  }

  /** Writes the current format's fixture into {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Checkpoint.write(Path.of(args[0]).resolve(FILE), SEGMENT, series());
  }
}
