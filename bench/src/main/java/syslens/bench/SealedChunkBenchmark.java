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
import syslens.tsdb.chunkenc.SealedChunk;
import syslens.tsdb.chunkenc.XorChunk;

/**
 * Sealed (block) chunks against the head's XOR chunks on the same series: one series' 2 h at a
 * 10 s grid (720 samples; XOR as six 120-sample chunks), a counter in centiseconds and a gauge in
 * 4 KiB pages, timestamps aligned or jittered by up to +-5 ms. Bytes per sample are printed once
 * per parameter set ({@code sealed} includes its timestamps; in a block, series scraped together
 * share one timestamp column, see docs/format/chunk.md).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar SealedChunkBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SealedChunkBenchmark {
  static final int SAMPLES = 720;

  @Param({"counter", "gauge"})
  public String kind;

  @Param({"0", "5"})
  public int jitterMs;

  @Param({"sealed", "xor"})
  public String codec;

  long[] ts;
  double[] vs;
  byte[] sealed;
  byte[][] xor;

  @Setup(Level.Trial)
  public void setUp() {
    Random r = new Random(42);
    ts = new long[SAMPLES];
    vs = new double[SAMPLES];
    long t0 = 1_700_000_000_000L;
    long m = kind.equals("counter") ? 12_345_678 : 8_123_456_000L / 4096;
    for (int i = 0; i < SAMPLES; i++) {
      ts[i] = t0 + 10_000L * i + (jitterMs == 0 ? 0 : r.nextInt(2 * jitterMs + 1) - jitterMs);
      if (kind.equals("counter")) {
        m += r.nextInt(1000);
        vs[i] = m / 100.0;
      } else {
        m += r.nextInt(201) - 100;
        vs[i] = 4096.0 * m;
      }
    }
    sealed = SealedChunk.encode(ts, vs, SAMPLES);
    xor = encodeXor();
    long xorBytes = 0;
    for (byte[] c : xor) {
      xorBytes += c.length;
    }
    System.out.printf("%n%s jitter=%d ms: %s %.3f bytes/sample%n", kind, jitterMs, codec,
        codec.equals("sealed") ? (double) sealed.length / SAMPLES : (double) xorBytes / SAMPLES);
  }

  byte[][] encodeXor() {
    byte[][] out = new byte[SAMPLES / 120][];
    for (int c = 0; c < out.length; c++) {
      XorChunk x = XorChunk.create();
      for (int i = c * 120; i < (c + 1) * 120; i++) {
        x.append(ts[i], vs[i]);
      }
      out[c] = x.bytes();
    }
    return out;
  }

  @Benchmark
  public Object encode() {
    return codec.equals("sealed") ? SealedChunk.encode(ts, vs, SAMPLES) : encodeXor();
  }

  @Benchmark
  public void decode(Blackhole bh) {
    if (codec.equals("sealed")) {
      SampleIterator it = SealedChunk.iterator(sealed);
      while (it.next()) {
        bh.consume(it.timestamp());
        bh.consume(it.value());
      }
    } else {
      for (byte[] c : xor) {
        SampleIterator it = XorChunk.iterator(c);
        while (it.next()) {
          bh.consume(it.timestamp());
          bh.consume(it.value());
        }
      }
    }
  }
}
