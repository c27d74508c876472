package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.tsdb.testdata.Recording;

/**
 * Bytes per sample of sealed chunks on a real node_exporter recording and on synthetic 10 s host
 * data replaying it (one sealed chunk per series per 2 h block), against the XOR chunks of the
 * head (120 samples each). Figures are printed.
 */
class SealedChunkSizeTest {
  static Recording rec;

  @BeforeAll
  static void load() throws Exception {
    rec = Recording.load();
  }

  record Size(long sealed, long xor, long samples) {
    double sealedPerSample() {
      return (double) sealed / samples;
    }

    double xorPerSample() {
      return (double) xor / samples;
    }
  }

  static Size measure(List<Recording.Series> series, Boolean counters) {
    long sealed = 0;
    long xor = 0;
    long samples = 0;
    for (Recording.Series s : series) {
      if (counters != null && s.counter() != counters) {
        continue;
      }
      int n = s.ts().length;
      byte[] enc = SealedChunk.encode(s.ts(), s.vs(), n);
      SealedChunk.Samples back = SealedChunk.decode(enc);
      assertThat(java.util.Arrays.equals(back.timestamps(), s.ts())).as(s.name()).isTrue();
      for (int i = 0; i < n; i++) {
        if (Double.doubleToRawLongBits(back.values()[i]) != Double.doubleToRawLongBits(s.vs()[i])) {
          throw new AssertionError(s.name() + " sample " + i + ": " + back.values()[i] + " (expected: " + s.vs()[i] + ")");
        }
      }
      sealed += enc.length;
      for (int off = 0; off < n; off += 120) {
        XorChunk c = XorChunk.create();
        for (int i = off; i < Math.min(n, off + 120); i++) {
          c.append(s.ts()[i], s.vs()[i]);
        }
        xor += c.byteLength();
      }
      samples += n;
    }
    return new Size(sealed, xor, samples);
  }

  static void print(String what, Size s) {
    System.out.printf("%-40s sealed %.3f B/sample   xor %.3f B/sample   (%d samples)%n", what,
        s.sealedPerSample(), s.xorPerSample(), s.samples());
  }

  @Test
  void encode_realRecording_halvesXor() {
    // Standalone chunks, timestamps included; blocks share timestamp columns (BlockSizeTest).
    Size all = measure(rec.series(), null);
    print("recording 1s all", all);
    print("recording 1s counters", measure(rec.series(), true));
    print("recording 1s gauges", measure(rec.series(), false));
    assertThat(all.sealedPerSample()).isLessThan(all.xorPerSample() / 2);
  }

  @Test
  void encode_synthetic10sAligned_underOneBytePerSample() {
    List<Recording.Series> s = rec.synthetic10s(720, 0, 1);
    Size all = measure(s, null);
    print("synthetic 10s aligned all", all);
    print("synthetic 10s aligned counters", measure(s, true));
    print("synthetic 10s aligned gauges", measure(s, false));
    assertThat(all.sealedPerSample()).isLessThanOrEqualTo(1.0);
  }

  @Test
  void encode_synthetic10sJittered_sizesReported() {
    List<Recording.Series> s = rec.synthetic10s(720, 50, 1);
    Size all = measure(s, null);
    print("synthetic 10s jitter 50ms all", all);
    print("synthetic 10s jitter 50ms counters", measure(s, true));
    print("synthetic 10s jitter 50ms gauges", measure(s, false));
    assertThat(all.sealedPerSample()).isLessThan(all.xorPerSample());
  }
}
