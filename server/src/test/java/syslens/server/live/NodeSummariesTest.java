package syslens.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

class NodeSummariesTest {
  private static void round(NodeSummaries s, NodeSummaries.Round r, long t, double idle, double user, double rx) {
    r.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"), t, idle);
    r.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "user"), t, user);
    r.add(Labels.of("__name__", "node_network_receive_bytes_total", "device", "eth0"), t, rx);
    r.add(Labels.of("__name__", "node_network_receive_bytes_total", "device", "lo"), t, 1e12);
    r.add(Labels.of("__name__", "node_memory_MemTotal_bytes"), t, 1000);
    r.add(Labels.of("__name__", "node_memory_MemAvailable_bytes"), t, 250);
  }

  @Test
  void finish_computesPercentagesAndRatesFromTwoRounds() {
    NodeSummaries s = new NodeSummaries();
    NodeSummaries.Round r1 = s.begin("n");
    round(s, r1, 10_000, 100, 50, 1_000);
    LiveSample first = s.finish(r1).orElseThrow();
    assertThat(first.cpuPercent()).isNull();
    assertThat(first.memoryPercent()).isCloseTo(75.0, offset(1e-9));

    NodeSummaries.Round r2 = s.begin("n");
    round(s, r2, 20_000, 107.5, 52.5, 11_000);
    LiveSample second = s.finish(r2).orElseThrow();
    assertThat(second.cpuPercent()).isCloseTo(25.0, offset(1e-9));
    assertThat(second.netRxBytesPerSec()).isCloseTo(1000.0, offset(1e-9));
    assertThat(s.latest("n")).contains(second);
  }

  @Test
  void finish_counterReset_givesNullRateNotNegative() {
    NodeSummaries s = new NodeSummaries();
    NodeSummaries.Round r1 = s.begin("n");
    round(s, r1, 10_000, 100, 50, 5_000);
    s.finish(r1);
    NodeSummaries.Round r2 = s.begin("n");
    round(s, r2, 20_000, 107.5, 52.5, 10);
    assertThat(s.finish(r2).orElseThrow().netRxBytesPerSec()).isNull();
  }

  @Test
  void finish_roundSplitOverBatches_eachFamilyComparedWithItsOwnPrevious() {
    NodeSummaries s = new NodeSummaries();
    for (long t : new long[] {10_000, 20_000}) {
      double k = t / 10_000.0;
      NodeSummaries.Round cpuBatch = s.begin("n");
      cpuBatch.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"), t, 100 + 5 * k);
      cpuBatch.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "user"), t, 50 + 5 * k);
      s.finish(cpuBatch);
      NodeSummaries.Round netBatch = s.begin("n");
      netBatch.add(Labels.of("__name__", "node_network_receive_bytes_total", "device", "eth0"), t, 1000 * k);
      netBatch.add(Labels.of("__name__", "node_network_transmit_bytes_total", "device", "eth0"), t, 500 * k);
      s.finish(netBatch);
    }
    LiveSample last = s.latest("n").orElseThrow();
    assertThat(last.cpuPercent()).isCloseTo(50.0, offset(1e-9));
    assertThat(last.netRxBytesPerSec()).isCloseTo(100.0, offset(1e-9));
    assertThat(last.netTxBytesPerSec()).isCloseTo(50.0, offset(1e-9));
  }

  @Test
  void finish_filesystems_diskPercentIsTheFullestRealOne() {
    NodeSummaries s = new NodeSummaries();
    NodeSummaries.Round r = s.begin("n");
    r.add(Labels.of("__name__", "node_filesystem_size_bytes", "mountpoint", "/", "fstype", "ext4"), 1000, 1000);
    r.add(Labels.of("__name__", "node_filesystem_avail_bytes", "mountpoint", "/", "fstype", "ext4"), 1000, 400);
    r.add(Labels.of("__name__", "node_filesystem_size_bytes", "mountpoint", "/data", "fstype", "xfs"), 1000, 100);
    r.add(Labels.of("__name__", "node_filesystem_avail_bytes", "mountpoint", "/data", "fstype", "xfs"), 1000, 30);
    r.add(Labels.of("__name__", "node_filesystem_size_bytes", "mountpoint", "/run", "fstype", "tmpfs"), 1000, 100);
    r.add(Labels.of("__name__", "node_filesystem_avail_bytes", "mountpoint", "/run", "fstype", "tmpfs"), 1000, 0);
    assertThat(s.finish(r).orElseThrow().diskPercent()).isCloseTo(70.0, offset(1e-9));

    NodeSummaries.Round cpuOnly = s.begin("n");
    cpuOnly.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"), 2000, 1);
    assertThat(s.finish(cpuOnly).orElseThrow().diskPercent()).as("kept from the last round that had filesystems")
        .isCloseTo(70.0, offset(1e-9));
  }
}
