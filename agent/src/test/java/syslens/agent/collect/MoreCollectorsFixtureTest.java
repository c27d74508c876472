package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static syslens.agent.collect.Fixtures.byKey;
import static syslens.agent.collect.Fixtures.collect;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The collectors added for node_exporter's remaining defaults, over fixture files. */
class MoreCollectorsFixtureTest {

  @Test
  void netstat_fixture_nodeExporterDefaultFieldsOnly() throws Exception {
    Map<String, Double> m = byKey(collect(new NetStatCollector(Fixtures.proc())));

    assertThat(m).contains(
        entry("node_netstat_TcpExt_SyncookiesSent", 1.0),
        entry("node_netstat_TcpExt_ListenOverflows", 5.0),
        entry("node_netstat_TcpExt_TCPSynRetrans", 8.0),
        entry("node_netstat_IpExt_InOctets", 23038322171.0),
        entry("node_netstat_Ip_Forwarding", 2.0),
        entry("node_netstat_Tcp_CurrEstab", 17.0),
        entry("node_netstat_Tcp_RetransSegs", 19612.0),
        entry("node_netstat_Udp_InErrors", 0.0),
        entry("node_netstat_UdpLite_InErrors", 0.0),
        entry("node_netstat_Icmp_InMsgs", 3.0),
        entry("node_netstat_Ip6_InOctets", 384.0),
        entry("node_netstat_Icmp6_InErrors", 1.0),
        entry("node_netstat_Udp6_InDatagrams", 0.0),
        entry("node_netstat_UdpLite6_InErrors", 0.0));
    assertThat(m).doesNotContainKeys("node_netstat_TcpExt_EmbryonicRsts", "node_netstat_Tcp_MaxConn",
        "node_netstat_Ip_DefaultTTL", "node_netstat_Ip6_InReceives", "node_netstat_Udp_InCsumErrors");
    assertThat(m).doesNotContainKey("node_netstat_Ip_InHdrErrors"); // not *_InErrors
  }

  @Test
  void netstat_secondRound_sameSeriesFromItsCachedFieldChoice() throws Exception {
    NetStatCollector c = new NetStatCollector(Fixtures.proc());
    List<Metric> first = collect(c);

    assertThat(collect(c)).isEqualTo(first).hasSizeGreaterThan(10);
  }

  @Test
  void sockstat_fixture_countsAndMemoryInBytes() throws Exception {
    Map<String, Double> m = byKey(collect(new SockStatCollector(Fixtures.proc(), 4096)));

    assertThat(m).contains(entry("node_sockstat_sockets_used", 41.0), entry("node_sockstat_TCP_inuse", 19.0),
        entry("node_sockstat_TCP_mem", 17.0), entry("node_sockstat_TCP_mem_bytes", 17.0 * 4096),
        entry("node_sockstat_FRAG_memory", 0.0), entry("node_sockstat_TCP6_inuse", 1.0),
        entry("node_sockstat_FRAG6_memory", 0.0), entry("node_sockstat_UDPLITE6_inuse", 0.0));
    assertThat(m).hasSize(20);
  }

  @Test
  void softnet_fixture_hexColumnsPerCpu() throws Exception {
    assertThat(byKey(collect(new SoftNetCollector(Fixtures.proc())))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_softnet_processed_total{cpu=\"0\"}", (double) 0x19b7a1,
        "node_softnet_dropped_total{cpu=\"0\"}", 0.0,
        "node_softnet_times_squeezed_total{cpu=\"0\"}", 8.0,
        "node_softnet_processed_total{cpu=\"1\"}", (double) 0x198228,
        "node_softnet_dropped_total{cpu=\"1\"}", 2.0,
        "node_softnet_times_squeezed_total{cpu=\"1\"}", 17.0));
  }

  @Test
  void filefdEntropyVmstat_fixture_nodeExporterNames() throws Exception {
    assertThat(byKey(collect(new FileFdCollector(Fixtures.proc())))).containsExactly(
        entry("node_filefd_allocated", 1846.0), entry("node_filefd_maximum", 2466186.0));
    assertThat(byKey(collect(new EntropyCollector(Fixtures.proc())))).containsExactly(
        entry("node_entropy_available_bits", 256.0), entry("node_entropy_pool_size_bits", 256.0));
    assertThat(byKey(collect(new VmStatCollector(Fixtures.proc())))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_vmstat_pgpgin", 10689929.0, "node_vmstat_pgpgout", 60246596.0, "node_vmstat_pswpin", 0.0,
        "node_vmstat_pswpout", 0.0, "node_vmstat_pgfault", 218853215.0, "node_vmstat_pgmajfault", 19092.0,
        "node_vmstat_oom_kill", 0.0));
  }

  @Test
  void pressure_fixture_someAsWaitingFullAsStalledInSeconds() throws Exception {
    assertThat(byKey(collect(new PressureCollector(Fixtures.proc())))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_pressure_cpu_waiting_seconds_total", 11936.565199,
        "node_pressure_io_waiting_seconds_total", 387.3938,
        "node_pressure_io_stalled_seconds_total", 55.900241,
        "node_pressure_memory_waiting_seconds_total", 0.0,
        "node_pressure_memory_stalled_seconds_total", 0.0));
  }

  @Test
  void os_fixture_infoWithTwelveLabelsAndVersion() throws Exception {
    Map<String, Double> m = byKey(collect(new OsReleaseCollector(Fixtures.proc().getParent())));

    assertThat(m).containsExactly(
        entry("node_os_info{build_id=\"\",id=\"debian\",id_like=\"\",image_id=\"\",image_version=\"\","
            + "name=\"Debian GNU/Linux\",pretty_name=\"Debian GNU/Linux 12 (bookworm)\",variant=\"\",variant_id=\"\","
            + "version=\"12 (bookworm)\",version_codename=\"bookworm\",version_id=\"12\"}", 1.0),
        entry("node_os_version{id=\"debian\",id_like=\"\",name=\"Debian GNU/Linux\"}", 12.0));
  }

  @Test
  void hwmon_fixture_temperaturesInCelsiusWithChipNames() throws Exception {
    Map<String, Double> m = byKey(collect(new HwmonCollector(Fixtures.sys())));

    assertThat(m).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_hwmon_chip_names{chip=\"coretemp\",chip_name=\"coretemp\"}", 1.0,
        "node_hwmon_temp_celsius{chip=\"coretemp\",sensor=\"temp1\"}", 45.0,
        "node_hwmon_temp_crit_celsius{chip=\"coretemp\",sensor=\"temp1\"}", 100.0,
        "node_hwmon_temp_celsius{chip=\"coretemp\",sensor=\"temp2\"}", 47.5,
        "node_hwmon_chip_names{chip=\"nvme_x\",chip_name=\"nvme_x\"}", 1.0,
        "node_hwmon_temp_celsius{chip=\"nvme_x\",sensor=\"temp1\"}", 31.85,
        "node_hwmon_temp_max_celsius{chip=\"nvme_x\",sensor=\"temp1\"}", 84.85));
  }

  @Test
  void hwmon_noHwmonDirectory_noSeriesNoError() throws Exception {
    assertThat(collect(new HwmonCollector(Fixtures.proc()))).isEmpty();
  }

  @Test
  void processes_fixture_statesThreadsAndTopByMemory() throws Exception {
    Map<String, Double> m = byKey(collect(new ProcessesCollector(Fixtures.proc(), 4096, 5, () -> 0)));

    assertThat(m).contains(
        entry("node_processes_state{state=\"S\"}", 1.0),
        entry("node_processes_state{state=\"R\"}", 1.0),
        entry("node_processes_state{state=\"Z\"}", 0.0),
        entry("node_processes_pids", 2.0),
        entry("node_processes_threads", 5.0),
        entry("node_processes_max_processes", 4194304.0),
        entry("node_processes_max_threads", 63704.0),
        entry("syslens_process_top_resident_bytes{comm=\"my (odd) app\",pid=\"42\"}", 25000.0 * 4096),
        entry("syslens_process_top_resident_bytes{comm=\"systemd\",pid=\"1\"}", 3000.0 * 4096));
    assertThat(m.keySet()).noneMatch(k -> k.startsWith("syslens_process_top_cpu_ratio")); // needs two rounds
  }

  @Test
  void processes_secondRound_topByCpuFromTickDeltasBounded() throws Exception {
    java.nio.file.Path proc = java.nio.file.Files.createTempDirectory("proc");
    AtomicLong nanos = new AtomicLong();
    ProcessesCollector c = new ProcessesCollector(proc, 4096, 2, nanos::get);
    for (int pid = 1; pid <= 4; pid++) {
      writeStat(proc, pid, 100);
    }
    collect(c);
    // 10 s later: pid 3 used 5 s of CPU (0.5 core), pid 2 used 1 s, pid 4 0.2 s, pid 1 none.
    nanos.set(10_000_000_000L);
    writeStat(proc, 2, 200);
    writeStat(proc, 3, 600);
    writeStat(proc, 4, 120);

    Map<String, Double> m = byKey(collect(c));

    assertThat(m).containsEntry("syslens_process_top_cpu_ratio{comm=\"p3\",pid=\"3\"}", 0.5)
        .containsEntry("syslens_process_top_cpu_ratio{comm=\"p2\",pid=\"2\"}", 0.1);
    assertThat(m.keySet().stream().filter(k -> k.startsWith("syslens_process_top_"))).hasSize(4);
  }

  @Test
  void processes_endedAndNewProcessesBetweenRounds_countedFromFreshReads() throws Exception {
    java.nio.file.Path proc = java.nio.file.Files.createTempDirectory("proc");
    ProcessesCollector c = new ProcessesCollector(proc, 4096, 5, () -> 0);
    for (int pid = 1; pid <= 3; pid++) {
      writeStat(proc, pid, 100);
    }
    assertThat(byKey(collect(c))).containsEntry("node_processes_pids", 3.0);
    java.nio.file.Files.delete(proc.resolve("2/stat"));
    java.nio.file.Files.delete(proc.resolve("2"));
    writeStat(proc, 7, 100);
    writeStat(proc, 3, 100); // the same file rewritten in place: read again from its start

    Map<String, Double> m = byKey(collect(c));

    assertThat(m).containsEntry("node_processes_pids", 3.0)
        .containsKey("syslens_process_top_resident_bytes{comm=\"p7\",pid=\"7\"}")
        .doesNotContainKey("syslens_process_top_resident_bytes{comm=\"p2\",pid=\"2\"}");
    c.close();
    assertThat(byKey(collect(c))).containsEntry("node_processes_pids", 3.0); // still reads, keeps nothing open
  }

  private static void writeStat(java.nio.file.Path proc, int pid, long utime) throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(proc.resolve(Integer.toString(pid)));
    java.nio.file.Files.writeString(dir.resolve("stat"), pid + " (p" + pid + ") S 1 1 1 0 -1 0 0 0 0 0 " + utime
        + " 0 0 0 20 0 1 0 10 1000 " + (pid * 10) + " 0\n");
  }
}
