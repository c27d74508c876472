package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;
import syslens.ingest.SeriesInput;
import syslens.ingest.prom.RemoteWrite;
import syslens.storage.Labels;

class WriteRequestsTest {
  private static WriteRequests.SeriesSamples series(String name, int samples) {
    WriteRequests.SeriesSamples s = new WriteRequests.SeriesSamples(Labels.of("__name__", name, "node", "n1"));
    for (int i = 0; i < samples; i++) {
      s.add(1_700_000_000_000L + i * 10_000L, i == 3 ? Double.NaN : i * 1.5);
    }
    return s;
  }

  @Test
  void encode_decodedByTheIngestReader_givesTheSameSeries() throws Exception {
    List<WriteRequests.SeriesSamples> in = List.of(series("a", 5), series("b", 1), series("c", 0));
    List<WriteRequests.Encoded> out = WriteRequests.encode(in, 1 << 20);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).samples()).isEqualTo(6);
    SeriesInput got = RemoteWrite.decode(Snappy.compress(out.get(0).bytes()), 1 << 20);
    assertThat(got.seriesCount()).isEqualTo(3);
    assertThat(got.labelName(0, 0)).isEqualTo("__name__");
    assertThat(got.labelValue(0, 0)).isEqualTo("a");
    assertThat(got.labelValue(0, 1)).isEqualTo("n1");
    assertThat(got.sampleCount(0)).isEqualTo(5);
    assertThat(got.timestamp(0, 4)).isEqualTo(1_700_000_040_000L);
    assertThat(got.value(0, 4)).isEqualTo(6.0);
    assertThat(got.value(0, 3)).isNaN();
    assertThat(got.sampleCount(2)).isZero();
  }

  /**
   * What an agent's commit costs in the disk buffer: 201 series of node_exporter's shape, one
   * sample each, snappy-compressed as {@code RemoteStorage} stores it (docs/operations.md sizes
   * the buffer with this figure).
   */
  @Test
  void encode_agentCommit_compressesToAboutFifteenBytesPerSample() throws Exception {
    List<WriteRequests.SeriesSamples> in = new ArrayList<>();
    String[] modes = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    for (int i = 0; i < 201; i++) {
      Labels l = i < 64
          ? Labels.of("__name__", "node_cpu_seconds_total", "cpu", Integer.toString(i / 8), "mode", modes[i % 8],
              "node", "web-0421.dc1.example.com", "instance", "web-0421.dc1.example.com")
          : Labels.of("__name__", "node_metric_" + i, "device", "sd" + (char) ('a' + i % 4),
              "node", "web-0421.dc1.example.com", "instance", "web-0421.dc1.example.com");
      WriteRequests.SeriesSamples s = new WriteRequests.SeriesSamples(l);
      s.add(1_764_000_000_123L, 12345.67 + i);
      in.add(s);
    }
    byte[] raw = WriteRequests.encode(in, 1 << 20).get(0).bytes();
    int compressed = Snappy.compress(raw).length;
    System.out.printf("agent commit of 201 series: %d bytes raw (%.1f B/sample), %d snappy (%.1f B/sample)%n",
        raw.length, raw.length / 201.0, compressed, compressed / 201.0);
    assertThat(raw.length / 201.0).isGreaterThan(100);
    assertThat(compressed / 201.0).isLessThan(20);
  }

  @Test
  void encode_overTheSize_splitsBetweenSeriesAndConcatenationIsOneRequest() throws Exception {
    List<WriteRequests.SeriesSamples> in = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      in.add(series("m" + i, 20));
    }
    List<WriteRequests.Encoded> out = WriteRequests.encode(in, 2000);
    assertThat(out.size()).isGreaterThan(5);
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    int samples = 0;
    for (WriteRequests.Encoded e : out) {
      all.write(e.bytes());
      samples += e.samples();
    }
    assertThat(samples).isEqualTo(800);
    SeriesInput got = RemoteWrite.decode(Snappy.compress(all.toByteArray()), 1 << 20);
    assertThat(got.seriesCount()).isEqualTo(40);
    assertThat(got.labelValue(39, 0)).isEqualTo("m39");
  }
}
