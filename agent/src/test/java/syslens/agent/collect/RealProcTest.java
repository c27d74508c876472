package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Smoke test against this machine's real /proc and /sys. */
class RealProcTest {

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(Files.isReadable(Path.of("/proc/stat")), "needs Linux /proc");
  }

  @Test
  void collect_realProc_requiredMetricsWithSaneValues() {
    List<Metric> metrics = LinuxCollectors.create(Path.of("/proc"), Path.of("/sys"),
        Clock.systemUTC()).collect();
    Map<String, Double> m = Fixtures.byKey(metrics);
    int cpus = Runtime.getRuntime().availableProcessors();
    double now = System.currentTimeMillis() / 1000.0;

    assertThat(m).containsKeys("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
        "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}", "node_load1", "node_load15",
        "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_context_switches_total",
        "node_intr_total", "node_forks_total", "node_procs_running");
    assertThat(metrics.stream().filter(x -> x.name().equals("node_cpu_seconds_total")))
        .hasSizeGreaterThanOrEqualTo(cpus * 8);
    assertThat(m.get("node_memory_MemTotal_bytes")).isGreaterThan(64.0 * 1024 * 1024);
    assertThat(m.get("node_memory_MemAvailable_bytes"))
        .isBetween(0.0, m.get("node_memory_MemTotal_bytes"));
    assertThat(m.get("node_boot_time_seconds")).isBetween(1.0e9, now);
    assertThat(m.get("node_time_seconds")).isCloseTo(now, org.assertj.core.data.Offset.offset(60.0));
    assertThat(m.get("node_procs_running")).isGreaterThanOrEqualTo(1.0);
    assertThat(metrics).filteredOn(x -> x.name().equals("node_uname_info"))
        .singleElement().satisfies(x -> assertThat(x.label("sysname")).isEqualTo("Linux"));
    assertThat(metrics).filteredOn(x -> x.name().equals("node_network_receive_bytes_total"))
        .isNotEmpty().extracting(x -> x.label("device")).doesNotContain("lo");
    assertThat(metrics).filteredOn(x -> x.name().equals("node_network_up"))
        .extracting(x -> x.label("device")).contains("lo");
    assertThat(metrics).filteredOn(x -> x.name().equals("node_filesystem_size_bytes")
        && "/".equals(x.label("mountpoint"))).singleElement()
        .satisfies(x -> assertThat(x.value()).isPositive());
    assertThat(metrics).filteredOn(x -> x.name().equals("node_scrape_collector_success"))
        .allSatisfy(x -> assertThat(x.value()).as(x.key()).isEqualTo(1.0));
    assertThat(metrics).allSatisfy(x -> assertThat(x.value()).as(x.key()).isFinite());
  }

  @Test
  void nativeStatvfs_root_matchesFileStore() throws Exception {
    var reader = NativeStatvfs.load();
    assumeTrue(reader.isPresent(), "native statvfs needs JDK 22+ on 64-bit Linux");

    FsStats nat = reader.get().read("/");
    FsStats nio = FilesystemCollector.readWithFileStore("/");

    assertThat(nat.sizeBytes()).isEqualTo(nio.sizeBytes());
    assertThat(nat.files()).isPositive();
    assertThat(nat.filesFree()).isBetween(0L, nat.files());
  }
}
