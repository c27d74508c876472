package syslens.ingest.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;
import syslens.ingest.SeriesInput;
import syslens.ingest.prompb.Label;
import syslens.ingest.prompb.Sample;
import syslens.ingest.prompb.TimeSeries;
import syslens.ingest.prompb.WriteRequest;

class RemoteWriteTest {
  static byte[] request() throws Exception {
    WriteRequest w = WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("up"))
        .addLabels(Label.newBuilder().setName("job").setValue("node"))
        .addSamples(Sample.newBuilder().setTimestamp(1000).setValue(1))
        .addSamples(Sample.newBuilder().setTimestamp(2000).setValue(Double.NaN))).build();
    return Snappy.compress(w.toByteArray());
  }

  @Test
  void decode_validRequest_readsSeriesInPlace() throws Exception {
    SeriesInput in = RemoteWrite.decode(request(), 1 << 20);
    assertThat(in.seriesCount()).isEqualTo(1);
    assertThat(in.labelName(0, 1)).isEqualTo("job");
    assertThat(in.sampleCount(0)).isEqualTo(2);
    assertThat(in.timestamp(0, 1)).isEqualTo(2000);
    assertThat(in.value(0, 1)).isNaN();
  }

  @Test
  void decode_notSnappy_namesTheFormat() {
    assertThatThrownBy(() -> RemoteWrite.decode("plain text, not snappy".getBytes(), 1 << 20))
        .isInstanceOf(FormatException.class).hasMessageContaining("snappy");
  }

  @Test
  void decode_headerClaimsMoreThanTheLimit_refusedBeforeAllocating() throws Exception {
    // A 5-byte varint header claiming ~2 GiB, then garbage: refused by the header alone.
    byte[] bomb = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0, 1, 2};
    assertThatThrownBy(() -> RemoteWrite.decode(bomb, 64 << 20))
        .isInstanceOf(FormatException.class).hasMessageContaining("(expected: <= 67108864)");
  }

  @Test
  void decode_snappyOfGarbage_notAProtobuf() throws Exception {
    byte[] body = Snappy.compress(new byte[] {(byte) 0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1});
    assertThatThrownBy(() -> RemoteWrite.decode(body, 1 << 20))
        .isInstanceOf(FormatException.class).hasMessageContaining("not a protobuf WriteRequest");
  }
}
