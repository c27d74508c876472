package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Prints bytes/sample of realistic 120-sample chunks; asserts only the ordering. */
class ChunkSizeTest {
  static final int N = 120;

  static double bytesPerSample(long seed, int jitterMs, boolean counter) {
    Random r = new Random(seed);
    XorChunk c = XorChunk.create();
    long t = 1_700_000_000_000L;
    // Counter: CPU seconds growing by whole centiseconds; gauge: available memory moving in pages.
    double v = counter ? 123_456.78 : 8_123_456_000.0;
    for (int i = 0; i < N; i++) {
      long ts = t + 10_000L * i + (jitterMs == 0 ? 0 : r.nextInt(2 * jitterMs + 1) - jitterMs);
      v = counter ? Math.round((v + r.nextInt(1000) / 100.0) * 100) / 100.0 : v + 4096.0 * (r.nextInt(201) - 100);
      c.append(ts, v);
    }
    return (double) c.byteLength() / N;
  }

  @Test
  void bytesPerSample_alignedSmallerThanJittered() {
    double alignedCounter = bytesPerSample(1, 0, true);
    double alignedGauge = bytesPerSample(1, 0, false);
    double jitterCounter = bytesPerSample(1, 5, true);
    double jitterGauge = bytesPerSample(1, 5, false);
    System.out.printf("bytes/sample aligned: counter %.3f gauge %.3f; jittered (+-5 ms): counter %.3f gauge %.3f%n",
        alignedCounter, alignedGauge, jitterCounter, jitterGauge);
    assertThat(alignedCounter).isLessThan(jitterCounter);
    assertThat(alignedGauge).isLessThan(jitterGauge);
  }
}
