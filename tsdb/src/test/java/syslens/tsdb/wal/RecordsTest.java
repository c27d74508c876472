package syslens.tsdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

class RecordsTest {

  record Decoded(List<Records.SeriesRef> series, List<String> samples) implements Records.Handler {
    Decoded() {
      this(new ArrayList<>(), new ArrayList<>());
    }

    @Override
    public void series(long ref, Labels labels) {
      series.add(new Records.SeriesRef(ref, labels));
    }

    @Override
    public void sample(long ref, long t, double v) {
      samples.add(ref + "/" + t + "/" + Long.toHexString(Double.doubleToRawLongBits(v)));
    }
  }

  @Property(tries = 300)
  void encodeSeries_roundTrips(@ForAll("seriesRefs") List<Records.SeriesRef> series) {
    Decoded d = new Decoded();
    Records.decode(Records.TYPE_SERIES, Records.encodeSeries(series), d);
    assertThat(d.series()).isEqualTo(series);
  }

  @Property
  void encodeSamples_roundTrips(@ForAll("refs") List<Long> refs, @ForAll long seed) {
    java.util.Random r = new java.util.Random(seed);
    int n = refs.size();
    long[] rs = new long[n];
    long[] ts = new long[n];
    double[] vs = new double[n];
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rs[i] = refs.get(i);
      ts[i] = r.nextBoolean() ? r.nextLong() : 1_700_000_000_000L + r.nextInt(100_000);
      vs[i] = r.nextInt(10) == 0 ? Double.longBitsToDouble(0x7ff0000000000002L)
          : Double.longBitsToDouble(r.nextLong());
      expected.add(rs[i] + "/" + ts[i] + "/" + Long.toHexString(Double.doubleToRawLongBits(vs[i])));
    }
    Decoded d = new Decoded();
    Records.decode(Records.TYPE_SAMPLES, Records.encodeSamples(rs, ts, vs, n), d);
    assertThat(d.samples()).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<Records.SeriesRef>> seriesRefs() {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> values = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
    Arbitrary<Labels> labels = Arbitraries.maps(names, values).ofMaxSize(8).map(Labels::fromMap);
    return net.jqwik.api.Combinators.combine(Arbitraries.longs(), labels)
        .as(Records.SeriesRef::new).list().ofMaxSize(20);
  }

  @Provide
  Arbitrary<List<Long>> refs() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 1000), Arbitraries.longs())
        .list().ofMinSize(1).ofMaxSize(200);
  }

  @Test
  void frame_layoutIsTypeLengthCrcPayload() {
    byte[] payload = {1, 2, 3};
    ByteBuffer b = ByteBuffer.allocate(Records.HEADER_BYTES + 3);
    Records.frame(b, Records.TYPE_SAMPLES, payload);
    b.flip();
    assertThat(b.get()).isEqualTo(Records.TYPE_SAMPLES);
    assertThat(b.getInt()).isEqualTo(3);
    assertThat(b.getInt()).isEqualTo(Records.crc(payload));
    assertThat(Integer.toHexString(Records.crc("123456789".getBytes()))).isEqualTo("e3069283");
  }

  @Test
  void decoder_sameStringInTwoRecords_oneInternedInstance() {
    Records.Decoder decoder = new Records.Decoder();
    Decoded d = new Decoded();
    String host = new String(new char[] {'h', 'o', 's', 't', '-', '9', '7'}); // not the interned instance
    decoder.decode(Records.TYPE_SERIES, ByteBuffer.wrap(Records.encodeSeries(List.of(
        new Records.SeriesRef(1, Labels.of("__name__", "up", "instance", host))))), d);
    decoder.decode(Records.TYPE_SERIES, ByteBuffer.wrap(Records.encodeSeries(List.of(
        new Records.SeriesRef(2, Labels.of("__name__", "load1", "instance", host))))), d);
    assertThat(d.series().get(0).labels().get("instance")).isSameAs(d.series().get(1).labels().get("instance"))
        .isSameAs("host-97".intern());
  }

  @Test
  void decoder_manyDistinctStrings_roundTrip() {
    List<Records.SeriesRef> series = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      series.add(new Records.SeriesRef(i, Labels.of("__name__", "m", "id", "value-" + i)));
    }
    Records.Decoder decoder = new Records.Decoder();
    Decoded d = new Decoded();
    decoder.decode(Records.TYPE_SERIES, ByteBuffer.wrap(Records.encodeSeries(series)), d);
    decoder.decode(Records.TYPE_SERIES, ByteBuffer.wrap(Records.encodeSeries(series)), d);
    assertThat(d.series()).hasSize(10_000);
    assertThat(d.series().subList(5000, 10_000)).isEqualTo(series);
  }

  @Test
  void decoder_truncatedSamplesRecord_deliversNoSample() {
    byte[] full = Records.encodeSamples(new long[] {1, 2, 3}, new long[] {10, 20, 30}, new double[] {1, 2, 3}, 3);
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 1);
    Decoded d = new Decoded();
    assertThatThrownBy(() -> new Records.Decoder().decode(Records.TYPE_SAMPLES, ByteBuffer.wrap(cut), d))
        .isInstanceOf(IllegalStateException.class);
    assertThat(d.samples()).isEmpty();
  }

  @Test
  void decode_truncatedPayload_throwsWithContext() {
    byte[] full = Records.encodeSeries(List.of(new Records.SeriesRef(7, Labels.of("__name__", "up"))));
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 1);
    assertThatThrownBy(() -> Records.decode(Records.TYPE_SERIES, cut, new Decoded()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected");
  }
}
