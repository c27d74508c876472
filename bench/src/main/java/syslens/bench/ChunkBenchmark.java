package syslens.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * Encodes and decodes one 120-sample XOR chunk of a realistic series: a 10 s scrape grid, either
 * exactly aligned or with a few ms of jitter, for a counter (CPU seconds, centisecond steps) and a
 * gauge (available memory, moving in 4 KiB pages). The encoded size (bytes per sample) is printed
 * once per parameter set, before its timings.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ChunkBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChunkBenchmark {
  static final int SAMPLES = 120;

  @Param({"counter", "gauge"})
  public String kind;

  /** 0 = grid-aligned timestamps; otherwise +- this many ms of jitter. */
  @Param({"0", "5"})
  public int jitterMs;

  long[] ts;
  double[] vs;
  byte[] encoded;

  @Setup(Level.Trial)
  public void setUp() {
    Random r = new Random(42);
    ts = new long[SAMPLES];
    vs = new double[SAMPLES];
    long t0 = 1_700_000_000_000L;
    double v = kind.equals("counter") ? 123_456.78 : 8_123_456_000.0;
    for (int i = 0; i < SAMPLES; i++) {
      ts[i] = t0 + 10_000L * i + (jitterMs == 0 ? 0 : r.nextInt(2 * jitterMs + 1) - jitterMs);
      v = kind.equals("counter")
          ? Math.round((v + r.nextInt(1000) / 100.0) * 100) / 100.0
          : v + 4096.0 * (r.nextInt(201) - 100);
      vs[i] = v;
    }
    encoded = encode().bytes();
    System.out.printf("%n%s jitter=%d ms: %.3f bytes/sample%n", kind, jitterMs,
        (double) encoded.length / SAMPLES);
  }

  XorChunk encode() {
    XorChunk c = XorChunk.create();
    for (int i = 0; i < SAMPLES; i++) {
      c.append(ts[i], vs[i]);
    }
    return c;
  }

  @Benchmark
  public XorChunk append() {
    return encode();
  }

  @Benchmark
  public void iterate(Blackhole bh) {
    SampleIterator it = XorChunk.iterator(encoded);
    while (it.next()) {
      bh.consume(it.timestamp());
      bh.consume(it.value());
    }
  }
}
