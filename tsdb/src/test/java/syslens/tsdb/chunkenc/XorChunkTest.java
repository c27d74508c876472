package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import syslens.storage.SampleIterator;

class XorChunkTest {
  static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  record Sample(long t, double v) {}

  @Property(tries = 500)
  void append_roundTripsTimestampsAndValueBits(
      @ForAll("gapLists") List<Long> gaps,
      @ForAll("valueLists") List<Double> values,
      @ForAll long start) {
    List<Sample> samples = new ArrayList<>();
    long t = start;
    int n = Math.min(gaps.size(), values.size());
    for (int i = 0; i < n; i++) {
      t += gaps.get(i); // wraps for huge gaps: the chunk must still round-trip exactly
      samples.add(new Sample(t, values.get(i)));
    }
    assertRoundTrip(samples);
  }

  @Property(tries = 200)
  void append_constantSeries_roundTripsAndStaysSmall(
      @ForAll("values") double v, @ForAll @IntRange(min = 1, max = 120) int n) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(new Sample(1_700_000_000_000L + 10_000L * i, v));
    }
    XorChunk c = assertRoundTrip(samples);
    // header + first sample (<= 10 + 8 bytes) + 2 bits per further sample, plus the uvarint delta.
    assertThat(c.byteLength()).isLessThanOrEqualTo(2 + 10 + 8 + 3 + (2 * n + 7) / 8);
  }

  @Property(tries = 200)
  void append_counterSeries_roundTrips(@ForAll @IntRange(min = 1, max = 120) int n,
      @ForAll @IntRange(min = 0, max = 1000) int jitterMs, @ForAll long seed) {
    Random r = new Random(seed);
    List<Sample> samples = new ArrayList<>();
    double counter = r.nextInt(1000);
    long t = 1_700_000_000_000L;
    for (int i = 0; i < n; i++) {
      t += 15_000 + (jitterMs == 0 ? 0 : r.nextInt(jitterMs + 1));
      counter += r.nextInt(5) * 0.25;
      samples.add(new Sample(t, counter));
    }
    assertRoundTrip(samples);
  }

  @Property(tries = 200)
  void seek_findsFirstSampleAtOrAfter(@ForAll("nonEmptyGapLists") List<Long> gaps,
      @ForAll long target) {
    List<Sample> samples = new ArrayList<>();
    long t = -1_000_000;
    for (long g : gaps) {
      long ng = Math.floorMod(g, 1_000_000_000L);
      t += ng;
      samples.add(new Sample(t, t * 0.5));
    }
    XorChunk c = XorChunk.create();
    samples.forEach(s -> c.append(s.t(), s.v()));
    long seekTo = Math.floorMod(target, t + 2_000_000L) - 1_000_001L;
    SampleIterator it = c.iterator();
    Sample expected = samples.stream().filter(s -> s.t() >= seekTo).findFirst().orElse(null);
    assertThat(it.seek(seekTo)).isEqualTo(expected != null);
    if (expected != null) {
      assertThat(it.timestamp()).isEqualTo(expected.t());
      assertThat(it.seek(Long.MIN_VALUE)).isTrue(); // never moves backwards
      assertThat(it.timestamp()).isEqualTo(expected.t());
    }
  }

  @Provide
  Arbitrary<List<Long>> gapLists() {
    return gaps().list().ofMaxSize(120);
  }

  @Provide
  Arbitrary<List<Long>> nonEmptyGapLists() {
    return gaps().list().ofMinSize(1).ofMaxSize(120);
  }

  @Provide
  Arbitrary<List<Double>> valueLists() {
    return values().list().ofMaxSize(120);
  }

  Arbitrary<Long> gaps() {
    return Arbitraries.frequencyOf(List.of(
        Tuple.of(5, Arbitraries.just(0L)),
        Tuple.of(30, Arbitraries.of(10_000L, 15_000L, 60_000L)),
        Tuple.of(30, Arbitraries.longs().between(0, 20_000)),
        Tuple.of(10, Arbitraries.longs().between(0, 1L << 40)),
        Tuple.of(10, Arbitraries.longs()),
        Tuple.of(5, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62))));
  }

  @Provide
  Arbitrary<Double> values() {
    return Arbitraries.oneOf(
        Arbitraries.doubles(),
        Arbitraries.doubles().between(-1e6, 1e6).ofScale(2),
        Arbitraries.longs().map(Double::longBitsToDouble),
        Arbitraries.of(Double.NaN, STALE_NAN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1.0));
  }

  @Test
  void append_staleMarkerAndSpecials_keepExactBits() {
    List<Sample> samples = List.of(new Sample(1000, 1.0), new Sample(2000, STALE_NAN),
        new Sample(3000, Double.NaN), new Sample(4000, -0.0), new Sample(5000, 0.0),
        new Sample(6000, Double.POSITIVE_INFINITY), new Sample(7000, Double.NEGATIVE_INFINITY),
        new Sample(8000, STALE_NAN));
    assertRoundTrip(samples);
  }

  @Test
  void append_extremeTimestamps_roundTrip() {
    assertRoundTrip(List.of(new Sample(Long.MIN_VALUE, 1), new Sample(Long.MAX_VALUE, 2),
        new Sample(Long.MAX_VALUE, 3), new Sample(0, 4), new Sample(Long.MIN_VALUE, 5),
        new Sample(Long.MIN_VALUE + 1, 6)));
  }

  @Test
  void append_negativeDeltaOfDelta_roundTrips() {
    assertRoundTrip(List.of(new Sample(0, 1), new Sample(1_000_000, 1), new Sample(1_000_001, 1),
        new Sample(1_000_002, 1), new Sample(1_000_002 + 8192, 1), new Sample(1_000_002 + 8192 * 2 + 8192, 1),
        new Sample(1_000_002 + 8192 * 3 + 8192 - 8191, 1)));
  }

  @Test
  void bitRange_matchesPrometheusBuckets() {
    assertThat(XorChunk.bitRange(8192, 14)).isTrue();
    assertThat(XorChunk.bitRange(8193, 14)).isFalse();
    assertThat(XorChunk.bitRange(-8191, 14)).isTrue();
    assertThat(XorChunk.bitRange(-8192, 14)).isFalse();
  }

  @Test
  void iterator_emptyChunk_hasNoSamples() {
    SampleIterator it = XorChunk.create().iterator();
    assertThat(it.next()).isFalse();
    assertThat(it.seek(0)).isFalse();
  }

  static XorChunk assertRoundTrip(List<Sample> samples) {
    XorChunk c = XorChunk.create();
    for (Sample s : samples) {
      c.append(s.t(), s.v());
    }
    assertThat(c.numSamples()).isEqualTo(samples.size());
    assertThat(XorChunk.numSamples(c.bytes())).isEqualTo(samples.size());
    // minTime is the first timestamp, read back from the stream (any long: a 1- to 10-byte varint)
    assertThat(c.minTime()).isEqualTo(samples.isEmpty() ? Long.MAX_VALUE : samples.get(0).t());
    SampleIterator it = XorChunk.iterator(c.bytes());
    for (Sample s : samples) {
      assertThat(it.next()).isTrue();
      assertThat(it.timestamp()).isEqualTo(s.t());
      assertThat(Double.doubleToRawLongBits(it.value()))
          .as("value bits at t=%d", s.t())
          .isEqualTo(Double.doubleToRawLongBits(s.v()));
    }
    assertThat(it.next()).isFalse();
    return c;
  }
}
