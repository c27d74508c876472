package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import syslens.storage.SampleIterator;

class SealedChunkTest {
  static final long STALE_NAN = 0x7ff0000000000002L;

  static void assertRoundTrip(long[] ts, double[] vs) {
    byte[] enc = SealedChunk.encode(ts, vs, ts.length);
    SealedChunk.Samples back = SealedChunk.decode(enc);
    assertThat(back.timestamps()).containsExactly(ts);
    long[] want = Arrays.stream(vs).mapToLong(Double::doubleToRawLongBits).toArray();
    long[] got = Arrays.stream(back.values()).mapToLong(Double::doubleToRawLongBits).toArray();
    assertThat(got).containsExactly(want);
  }

  @Provide
  Arbitrary<Double> anyDouble() {
    return Arbitraries.oneOf(
        Arbitraries.doubles(),
        Arbitraries.longs().map(Double::longBitsToDouble),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
            Double.longBitsToDouble(STALE_NAN), Double.MIN_VALUE, Double.MAX_VALUE, 1e300, 0.1),
        Arbitraries.integers().between(-100_000, 100_000).map(i -> i / 100.0),
        Arbitraries.longs().between(0, 1L << 40).map(Long::doubleValue));
  }

  @Property(tries = 300)
  void decode_anyValuesAndTimestamps_roundTrips(
      @ForAll @Size(max = 400) List<@net.jqwik.api.From("anyDouble") Double> values,
      @ForAll long seedTs) {
    long[] ts = new long[values.size()];
    java.util.Random r = new java.util.Random(seedTs);
    long t = seedTs;
    for (int i = 0; i < ts.length; i++) {
      ts[i] = t;
      t += switch (r.nextInt(4)) {
        case 0 -> 10_000;
        case 1 -> r.nextInt(100_000);
        case 2 -> r.nextLong(); // huge gaps, wrapping arithmetic
        default -> 10_000 + r.nextInt(11) - 5;
      };
    }
    double[] vs = values.stream().mapToDouble(Double::doubleValue).toArray();
    assertRoundTrip(ts, vs);
  }

  @Property(tries = 200)
  void decode_counterLikeValues_roundTrips(@ForAll @Size(min = 1, max = 2000) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 5000) Integer> steps,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 6) int decimals) {
    long[] ts = new long[steps.size()];
    double[] vs = new double[steps.size()];
    long m = 0;
    for (int i = 0; i < ts.length; i++) {
      m += steps.get(i);
      ts[i] = 1_700_000_000_000L + 15_000L * i;
      vs[i] = m / Math.pow(10, decimals);
    }
    assertRoundTrip(ts, vs);
  }

  @Test
  void decode_specialValues_roundTrip() {
    assertRoundTrip(new long[] {1, 2, 3, 4, 5, 6, 7},
        new double[] {1.5, Double.longBitsToDouble(STALE_NAN), Double.NaN, -0.0,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2.5});
  }

  @Test
  void encode_docExample_matchesBytes() {
    byte[] b = SealedChunk.encode(new long[] {1000, 11000, 21000}, new double[] {1.5, 2.25, 3.0}, 3);
    assertThat(java.util.HexFormat.ofDelimiter(" ").formatHex(b))
        .isEqualTo("02 00 03 d0 0f a0 9c 01 00 00 03 01 ac 02 96 01 00 00");
  }

  @Test
  void decode_singleSample_roundTrips() {
    assertRoundTrip(new long[] {Long.MIN_VALUE}, new double[] {Math.PI});
    assertRoundTrip(new long[] {Long.MAX_VALUE}, new double[] {Double.longBitsToDouble(STALE_NAN)});
  }

  @Test
  void decode_empty_roundTrips() {
    assertRoundTrip(new long[0], new double[0]);
  }

  @Test
  void encode_alignedIntegerGauge_compressesBelowOneByte() {
    long[] ts = new long[720];
    double[] vs = new double[720];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1_700_000_000_000L + 10_000L * i;
      vs[i] = 8_000_000_000.0 + 4096.0 * (i % 7);
    }
    byte[] enc = SealedChunk.encode(ts, vs, ts.length);
    assertThat((double) enc.length / ts.length).isLessThan(1.0);
  }

  @Test
  void decode_truncatedOrGarbage_throwsCorruptChunk() {
    long[] ts = new long[100];
    double[] vs = new double[100];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1000L * i;
      vs[i] = i * 1.25;
    }
    byte[] enc = SealedChunk.encode(ts, vs, ts.length);
    assertThatThrownBy(() -> SealedChunk.decode(Arrays.copyOf(enc, enc.length / 2)))
        .isInstanceOf(CorruptChunkException.class);
    assertThatThrownBy(() -> SealedChunk.decode(new byte[] {1, 0}))
        .isInstanceOf(CorruptChunkException.class).hasMessageContaining("encoding 1");
    assertThatThrownBy(() -> SealedChunk.decode(new byte[] {2, 0, (byte) 0xff, (byte) 0xff, 0x7f}))
        .isInstanceOf(CorruptChunkException.class);
  }

  @Test
  void iterator_seek_findsFirstAtOrAfter() {
    long[] ts = {10, 20, 30, 40};
    double[] vs = {1, 2, 3, 4};
    SampleIterator it = SealedChunk.iterator(SealedChunk.encode(ts, vs, 4));
    assertThat(it.seek(25)).isTrue();
    assertThat(it.timestamp()).isEqualTo(30);
    assertThat(it.seek(5)).isTrue();
    assertThat(it.timestamp()).isEqualTo(30);
    assertThat(it.next()).isTrue();
    assertThat(it.value()).isEqualTo(4);
    assertThat(it.next()).isFalse();
    assertThat(it.seek(100)).isFalse();
  }
}
