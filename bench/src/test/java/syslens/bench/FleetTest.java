package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FleetTest {
  private static final String TEXT = """
      # SCRAPE 1000
      # TYPE node_cpu_seconds_total counter
      node_cpu_seconds_total{cpu="0",mode="idle"} 100.25
      # TYPE node_memory_MemAvailable_bytes gauge
      node_memory_MemAvailable_bytes 1.2288e+09
      # TYPE node_memory_MemTotal_bytes gauge
      node_memory_MemTotal_bytes 4.194304e+09
      node_weird{path="a\\"b,c"} 1
      # SCRAPE 4000
      node_cpu_seconds_total{cpu="0",mode="idle"} 102.75
      node_memory_MemAvailable_bytes 1.2320768e+09
      node_memory_MemTotal_bytes 4.194304e+09
      node_weird{path="a\\"b,c"} 1
      # SCRAPE 7000
      node_cpu_seconds_total{cpu="0",mode="idle"} 105.5
      node_memory_MemAvailable_bytes 1.2275712e+09
      node_memory_MemTotal_bytes 4.194304e+09
      node_weird{path="a\\"b,c"} 1
      node_late 5
      """;

  private static Recording recording() throws Exception {
    return Recording.parse(new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parse_recording_keepsSeriesInEveryScrape() throws Exception {
    Recording r = recording();
    assertThat(r.series()).extracting(Recording.Series::name)
        .containsExactly("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_weird");
    assertThat(r.intervalMs()).isEqualTo(3000);
    assertThat(r.series().get(3).labels().get(1)).containsExactly("path", "a\"b,c");
    assertThat(r.series().get(0).isCounter()).isTrue();
    assertThat(r.series().get(0).decimals()).isEqualTo(2);
  }

  @Test
  void value_counter_monotonicAcrossRecordingWrapAndKeepsDecimals() throws Exception {
    Fleet f = Fleet.create(Fleet.Shape.NODE, recording(), 3, 4, 50, 10_000, 0, false, 7);
    assertThat(f.kind(0)).isEqualTo(Fleet.Kind.COUNTER);
    for (int h = 0; h < 3; h++) {
      double prev = -1;
      for (int r = 0; r < 50; r++) {
        double v = f.value(h, 0, r);
        assertThat(v).isGreaterThanOrEqualTo(prev);
        assertThat(Math.abs(v * 100 - Math.rint(v * 100))).isLessThan(1e-6);
        prev = v;
      }
    }
    // Hosts differ, and a second fleet with the same seed gives the same values.
    assertThat(f.value(0, 0, 10)).isNotEqualTo(f.value(1, 0, 10));
    Fleet g = Fleet.create(Fleet.Shape.NODE, recording(), 3, 4, 50, 10_000, 0, false, 7);
    assertThat(g.value(2, 1, 33)).isEqualTo(f.value(2, 1, 33));
  }

  @Test
  void value_byteGauges_stayOnTheirRecordedStep() throws Exception {
    Fleet f = Fleet.create(Fleet.Shape.NODE, recording(), 5, 4, 20, 10_000, 0, false, 1);
    for (int h = 0; h < 5; h++) {
      for (int r = 0; r < 20; r++) {
        assertThat(f.value(h, 1, r) % 4096).isZero(); // MemAvailable: multiples of 4 KiB pages
      }
      assertThat(f.value(h, 2, 0)).isEqualTo(f.value(h, 2, 19)); // MemTotal stays constant per host
    }
  }

  @Test
  void create_moreSeriesThanRecorded_addsReplicasWithDistinctLabels() throws Exception {
    Fleet f = Fleet.create(Fleet.Shape.NODE, recording(), 1, 9, 2, 10_000, 0, false, 1);
    assertThat(f.seriesPerHost()).isEqualTo(9);
    java.util.Set<syslens.storage.Labels> all = new java.util.HashSet<>();
    for (int s = 0; s < 9; s++) {
      all.add(f.labels(0, s));
    }
    assertThat(all).hasSize(9);
    assertThat(f.labels(0, 4).get("cpu")).isEqualTo("1");
  }

  @Test
  void create_nodeHosts_endWithUpAtOne() throws Exception {
    Fleet f = Fleet.create(Fleet.Shape.NODE, recording(), 2, 6, 3, 10_000, 0, false, 1);
    assertThat(f.labels(1, 5).get("__name__")).isEqualTo("up");
    assertThat(f.value(1, 5, 2)).isEqualTo(1.0);
  }

  @Test
  void create_histogramAndTsbs_haveTheirShapes() throws Exception {
    Fleet h = Fleet.create(Fleet.Shape.NODE, recording(), 2, 20, 30, 10_000, 0, true, 1);
    assertThat(h.seriesPerHost()).isEqualTo(20);
    int inf = Fleet.HISTOGRAM_LE.length;
    int base = 20 - (inf + 3);
    assertThat(h.labels(0, base + inf).get("le")).isEqualTo("+Inf");
    assertThat(h.value(0, base, 29)).isLessThanOrEqualTo(h.value(0, base + inf, 29));
    Fleet t = Fleet.create(Fleet.Shape.TSBS_CPU_ONLY, null, 2, 0, 5, 10_000, 0, false, 1);
    assertThat(t.seriesPerHost()).isEqualTo(10);
    assertThat(t.labels(1, 0).get("hostname")).isEqualTo("host-00001");
    assertThat(t.value(1, 0, 3)).isBetween(0.0, 100.0);
  }

  @Test
  void create_badArguments_nameTheOption() {
    assertThatThrownBy(() -> Fleet.create(Fleet.Shape.NODE, recording(), 0, 4, 2, 10_000, 0, false, 1))
        .hasMessage("hosts: 0 (expected: >= 1)");
    assertThatThrownBy(() -> BenchMain.parseDuration("--interval", "10 s"))
        .hasMessageContaining("--interval: \"10 s\" (expected:");
  }
}
