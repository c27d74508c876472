package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor.TickType;

/**
 * The Windows/macOS collectors through OSHI's abstractions. No Windows or macOS host runs here,
 * so they run over OSHI's Linux implementation of the same interfaces and are checked against
 * the agent's own /proc collectors on this machine: same names and labels, values that agree.
 */
class OshiCollectorsTest {

  static Map<String, Double> oshi;
  static Map<String, Double> linux;

  @BeforeAll
  static void collectBoth() {
    SystemInfo si = new SystemInfo();
    oshi = byKey(OshiCollectors.create(si.getHardware(), si.getOperatingSystem(), Clock.systemUTC()).get());
    linux = byKey(LinuxCollectors.create(Path.of("/proc"), Path.of("/sys"), Clock.systemUTC()).collect());
  }

  @Test
  void collect_oshiOnLinux_everyCollectorSucceeds() {
    assertThat(oshi).containsEntry("node_scrape_collector_success{collector=\"cpu\"}", 1.0)
        .containsEntry("node_scrape_collector_success{collector=\"meminfo\"}", 1.0)
        .containsEntry("node_scrape_collector_success{collector=\"filesystem\"}", 1.0)
        .containsEntry("node_scrape_collector_success{collector=\"netdev\"}", 1.0)
        .containsEntry("node_scrape_collector_success{collector=\"system\"}", 1.0);
  }

  @Test
  void cpu_oshi_sameSeriesAsProcAndCloseValues() {
    List<String> cpuKeys = oshi.keySet().stream().filter(k -> k.startsWith("node_cpu_seconds_total")).toList();
    assertThat(cpuKeys).isNotEmpty();
    assertThat(linux.keySet()).containsAll(cpuKeys);
    // OSHI reads /proc/stat too, a moment earlier: idle differs by that moment at most.
    assertThat(oshi.get("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"))
        .isCloseTo(linux.get("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"), within(30.0));
  }

  @Test
  void memoryBootLoad_oshi_agreeWithProc() {
    assertThat(oshi.get("node_memory_MemTotal_bytes")).isEqualTo(linux.get("node_memory_MemTotal_bytes"));
    assertThat(oshi.get("node_memory_MemAvailable_bytes"))
        .isCloseTo(linux.get("node_memory_MemAvailable_bytes"), within(256.0 * 1024 * 1024));
    assertThat(oshi.get("node_boot_time_seconds")).isCloseTo(linux.get("node_boot_time_seconds"), within(2.0));
    assertThat(oshi).containsKeys("node_load1", "node_processes_pids", "node_time_seconds");
  }

  @Test
  void filesystemAndNetwork_oshi_rootMountAndDevicesWithNodeExporterLabels() {
    assertThat(oshi.keySet()).anyMatch(k -> k.startsWith("node_filesystem_size_bytes{") && k.contains("mountpoint=\"/\""));
    List<String> rx = oshi.keySet().stream().filter(k -> k.startsWith("node_network_receive_bytes_total{")).toList();
    assertThat(rx).isNotEmpty().allMatch(k -> k.matches("node_network_receive_bytes_total\\{device=\"[^\"]+\"}"))
        .noneMatch(k -> k.contains("device=\"lo\""));
  }

  @Test
  void mode_everyTickType_nodeExporterMode() {
    for (var t : TickType.values()) {
      assertThat(OshiCollectors.mode(t)).isIn("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal");
    }
  }

  private static Map<String, Double> byKey(List<Metric> metrics) {
    Map<String, Double> m = new TreeMap<>();
    metrics.forEach(x -> m.put(x.key(), x.value()));
    return m;
  }
}
