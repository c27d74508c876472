package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static syslens.agent.collect.Fixtures.byKey;
import static syslens.agent.collect.Fixtures.collect;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorsFixtureTest {

  @Test
  void cpu_fixture_perCpuSecondsForEveryModeAndGuest() throws Exception {
    Map<String, Double> m = byKey(collect(new CpuCollector(Fixtures.proc())));

    assertThat(m).hasSize(2 * (8 + 2));
    assertThat(m).contains(
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}", 1060.45),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"}", 6.6),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"system\"}", 336.72),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}", 91753.56),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"}", 51.16),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"}", 0.0),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"}", 22.61),
        entry("node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"}", 0.43),
        entry("node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"}", 1.2),
        entry("node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"}", 0.07),
        entry("node_cpu_seconds_total{cpu=\"1\",mode=\"system\"}", 336.73),
        entry("node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"}", 0.44));
    assertThat(m.keySet()).noneMatch(k -> k.contains("cpu=\"\""));
  }

  @Test
  void stat_fixture_kernelCounters() throws Exception {
    assertThat(byKey(collect(new StatCollector(Fixtures.proc())))).containsExactlyInAnyOrderEntriesOf(
        Map.of("node_intr_total", 31744612.0,
            "node_context_switches_total", 57369201.0,
            "node_boot_time_seconds", 1700000000.0,
            "node_forks_total", 123456.0,
            "node_procs_running", 3.0,
            "node_procs_blocked", 1.0));
  }

  @Test
  void meminfo_fixture_everyFieldWithNodeExporterNames() throws Exception {
    Map<String, Double> m = byKey(collect(new MemInfoCollector(Fixtures.proc())));

    assertThat(m).hasSize(33);
    assertThat(m).contains(
        entry("node_memory_MemTotal_bytes", 8039464.0 * 1024),
        entry("node_memory_MemAvailable_bytes", 5123456.0 * 1024),
        entry("node_memory_Active_anon_bytes", 1200000.0 * 1024),
        entry("node_memory_Inactive_file_bytes", 2420000.0 * 1024),
        entry("node_memory_NFS_Unstable_bytes", 0.0),
        entry("node_memory_Committed_AS_bytes", 3607720.0 * 1024),
        entry("node_memory_VmallocTotal_bytes", 34359738367.0 * 1024),
        entry("node_memory_HugePages_Total", 4.0),
        entry("node_memory_HugePages_Free", 2.0),
        entry("node_memory_Hugepagesize_bytes", 2048.0 * 1024),
        entry("node_memory_DirectMap2M_bytes", 8081408.0 * 1024));
    assertThat(m.keySet()).allMatch(k -> k.matches("node_memory_[A-Za-z0-9_]+"));
  }

  @Test
  void metricKey_parentheses_becomeUnderscoreSuffix() {
    assertThat(MemInfoCollector.metricKey("Active(anon)")).isEqualTo("Active_anon");
    assertThat(MemInfoCollector.metricKey("MemTotal")).isEqualTo("MemTotal");
  }

  @Test
  void loadavg_fixture_threeGauges() throws Exception {
    assertThat(byKey(collect(new LoadAvgCollector(Fixtures.proc()))))
        .containsExactly(entry("node_load1", 0.52), entry("node_load5", 0.61),
            entry("node_load15", 0.73));
  }

  @Test
  void diskstats_fixture_skipsPartitionsLoopRamAndConvertsUnits() throws Exception {
    List<Metric> metrics = collect(new DiskStatsCollector(Fixtures.proc()));
    Map<String, Double> m = byKey(metrics);

    assertThat(metrics).extracting(x -> x.label("device")).containsOnly("sda", "nvme0n1", "dm-0");
    assertThat(m).contains(
        entry("node_disk_reads_completed_total{device=\"sda\"}", 34440.0),
        entry("node_disk_reads_merged_total{device=\"sda\"}", 6202.0),
        entry("node_disk_read_bytes_total{device=\"sda\"}", 1772442.0 * 512),
        entry("node_disk_read_time_seconds_total{device=\"sda\"}", 7398 * 0.001),
        entry("node_disk_writes_completed_total{device=\"sda\"}", 21850.0),
        entry("node_disk_written_bytes_total{device=\"sda\"}", 3322952.0 * 512),
        entry("node_disk_write_time_seconds_total{device=\"sda\"}", 18.246),
        entry("node_disk_io_now{device=\"sda\"}", 0.0),
        entry("node_disk_io_time_seconds_total{device=\"sda\"}", 5.804),
        entry("node_disk_io_time_weighted_seconds_total{device=\"sda\"}", 26.317),
        entry("node_disk_discards_completed_total{device=\"sda\"}", 8487.0),
        entry("node_disk_flush_requests_total{device=\"sda\"}", 2914.0),
        entry("node_disk_flush_requests_time_seconds_total{device=\"sda\"}", 0.092),
        entry("node_disk_io_now{device=\"nvme0n1\"}", 2.0),
        entry("node_disk_io_time_weighted_seconds_total{device=\"nvme0n1\"}", 0.75));
    // an old kernel's 14-field line has no discard/flush fields
    assertThat(m).doesNotContainKey("node_disk_discards_completed_total{device=\"nvme0n1\"}");
  }

  @Test
  void ignoredDevices_nodeExporterDefault_matchesPartitionsOnly() {
    assertThat(List.of("sda1", "vdb2", "xvda1", "hda3", "nvme0n1p1", "loop0", "ram15", "fd0"))
        .allMatch(d -> DiskStatsCollector.IGNORED_DEVICES.matcher(d).matches());
    assertThat(List.of("sda", "vda", "nvme0n1", "dm-0", "md0", "mmcblk0", "sr0"))
        .noneMatch(d -> DiskStatsCollector.IGNORED_DEVICES.matcher(d).matches());
  }

  @Test
  void netdev_fixture_sixteenCountersPerDeviceExceptLoopback() throws Exception {
    Map<String, Double> m = byKey(collect(new NetDevCollector(Fixtures.proc())));

    assertThat(m).hasSize(2 * 16);
    assertThat(m.keySet()).noneMatch(k -> k.contains("device=\"lo\""));
    assertThat(m).contains(
        entry("node_network_receive_bytes_total{device=\"eth0\"}", 591551388.0),
        entry("node_network_receive_packets_total{device=\"eth0\"}", 22226.0),
        entry("node_network_receive_errs_total{device=\"eth0\"}", 3.0),
        entry("node_network_receive_drop_total{device=\"eth0\"}", 4.0),
        entry("node_network_receive_fifo_total{device=\"eth0\"}", 5.0),
        entry("node_network_receive_frame_total{device=\"eth0\"}", 6.0),
        entry("node_network_receive_compressed_total{device=\"eth0\"}", 7.0),
        entry("node_network_receive_multicast_total{device=\"eth0\"}", 8.0),
        entry("node_network_transmit_bytes_total{device=\"eth0\"}", 2066166.0),
        entry("node_network_transmit_packets_total{device=\"eth0\"}", 16280.0),
        entry("node_network_transmit_errs_total{device=\"eth0\"}", 9.0),
        entry("node_network_transmit_drop_total{device=\"eth0\"}", 10.0),
        entry("node_network_transmit_fifo_total{device=\"eth0\"}", 11.0),
        entry("node_network_transmit_colls_total{device=\"eth0\"}", 12.0),
        entry("node_network_transmit_carrier_total{device=\"eth0\"}", 13.0),
        entry("node_network_transmit_compressed_total{device=\"eth0\"}", 14.0),
        entry("node_network_receive_bytes_total{device=\"wlan0\"}", 0.0));
  }

  @Test
  void netclass_fixture_upMtuCarrierSpeed() throws Exception {
    assertThat(byKey(collect(new NetClassCollector(Fixtures.sys())))).containsExactlyInAnyOrderEntriesOf(
        Map.of("node_network_up{device=\"eth0\"}", 1.0,
            "node_network_mtu_bytes{device=\"eth0\"}", 1500.0,
            "node_network_carrier{device=\"eth0\"}", 1.0,
            "node_network_speed_bytes{device=\"eth0\"}", 125_000_000.0,
            "node_network_up{device=\"lo\"}", 0.0,
            "node_network_mtu_bytes{device=\"lo\"}", 65536.0,
            "node_network_carrier{device=\"lo\"}", 1.0,
            "node_network_up{device=\"wlan0\"}", 0.0,
            "node_network_mtu_bytes{device=\"wlan0\"}", 1500.0,
            "node_network_speed_bytes{device=\"wlan0\"}", -125_000.0));
  }

  @Test
  void filesystem_fixture_skipsIgnoredTypesAndMountsAndDuplicates() throws Exception {
    Map<String, FsStats> stats = Map.of(
        "/", new FsStats(100_000, 40_000, 30_000, 6_000, 5_000),
        "/run", new FsStats(800, 700, 700, 100, 90),
        "/srv/data disk", new FsStats(5_000, 1_000, 1_000, -1, -1));
    FilesystemCollector c = new FilesystemCollector(Fixtures.proc(), mountpoint -> {
      FsStats s = stats.get(mountpoint);
      if (s == null) {
        throw new IOException(mountpoint + ": stale file handle");
      }
      return s;
    }, FilesystemCollector.DEFAULT_MOUNT_TIMEOUT);

    Map<String, Double> m = byKey(collect(c));

    String root = "{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"}";
    String data = "{device=\"/dev/sdb1\",fstype=\"xfs\",mountpoint=\"/srv/data disk\"}";
    String nfs = "{device=\"nfs.example:/export\",fstype=\"nfs4\",mountpoint=\"/mnt/nfs\"}";
    assertThat(m).contains(
        entry("node_filesystem_size_bytes" + root, 100_000.0),
        entry("node_filesystem_free_bytes" + root, 40_000.0),
        entry("node_filesystem_avail_bytes" + root, 30_000.0),
        entry("node_filesystem_files" + root, 6_000.0),
        entry("node_filesystem_files_free" + root, 5_000.0),
        entry("node_filesystem_readonly" + root, 0.0),
        entry("node_filesystem_device_error" + root, 0.0),
        entry("node_filesystem_readonly" + data, 1.0),
        entry("node_filesystem_size_bytes" + data, 5_000.0),
        entry("node_filesystem_device_error" + nfs, 1.0));
    assertThat(m).doesNotContainKey("node_filesystem_files" + data)
        .doesNotContainKey("node_filesystem_size_bytes" + nfs);
    assertThat(m.keySet()).extracting(k -> k.replaceAll(".*mountpoint=\"([^\"]*)\".*", "$1"))
        .containsOnly("/", "/run", "/srv/data disk", "/mnt/nfs");
  }

  @Test
  void ignoredMountPoints_nodeExporterDefault() {
    assertThat(List.of("/dev", "/dev/shm", "/proc", "/sys/fs/cgroup", "/run/credentials/x.service",
        "/var/lib/docker/overlay2/a/merged", "/var/lib/containers/storage/overlay"))
        .allMatch(p -> FilesystemCollector.IGNORED_MOUNT_POINTS.matcher(p).find());
    assertThat(List.of("/", "/run", "/run/user/1000", "/devices", "/var/lib/docker", "/home"))
        .noneMatch(p -> FilesystemCollector.IGNORED_MOUNT_POINTS.matcher(p).find());
  }

  @Test
  void uname_fixture_infoWithAllLabels() throws Exception {
    assertThat(collect(new UnameCollector(Fixtures.proc(), "amd64")))
        .extracting(Metric::toString)
        .containsExactly("node_uname_info{domainname=\"(none)\",machine=\"x86_64\","
            + "nodename=\"web-01\",release=\"6.1.0-18-amd64\","
            + "sysname=\"Linux\",version=\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\"} 1.0");
  }

  @Test
  void uname_hostnameChangedBetweenRounds_newValue() throws Exception {
    java.nio.file.Path proc = java.nio.file.Files.createTempDirectory("proc");
    java.nio.file.Path kernel = java.nio.file.Files.createDirectories(proc.resolve("sys/kernel"));
    for (String f : List.of("ostype", "osrelease", "version", "hostname", "domainname")) {
      java.nio.file.Files.writeString(kernel.resolve(f), f + "-1\n");
    }
    UnameCollector c = new UnameCollector(proc, "amd64");
    assertThat(collect(c).get(0).label("nodename")).isEqualTo("hostname-1");

    java.nio.file.Files.writeString(kernel.resolve("hostname"), "web-02\n"); // the same file, kept open

    assertThat(collect(c).get(0).label("nodename")).isEqualTo("web-02");
    java.nio.file.Files.delete(kernel.resolve("domainname"));
    c.close();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> collect(c)).isInstanceOf(IOException.class);
  }

  @Test
  void time_fixedClock_secondsWithMillis() throws Exception {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_123_456L), ZoneOffset.UTC);
    assertThat(byKey(collect(new TimeCollector(clock))))
        .containsExactly(entry("node_time_seconds", 1_700_000_123.456));
  }

  @Test
  void unescapeOctal_mountsEscapes_decoded() {
    assertThat(ProcFiles.unescapeOctal("/a\\040b\\011c\\134d")).isEqualTo("/a b\tc\\d");
    assertThat(ProcFiles.unescapeOctal("/plain\\x")).isEqualTo("/plain\\x");
  }

  @Test
  void collect_brokenCollector_reportsFailureAndKeepsOthers() throws Exception {
    java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("noproc");
    LinuxCollectors all = LinuxCollectors.create(empty, empty,
        Clock.fixed(Instant.ofEpochSecond(10), ZoneOffset.UTC), m -> {
          throw new IOException("no");
        });

    Map<String, Double> m = byKey(all.collect());

    assertThat(m).contains(entry("node_scrape_collector_success{collector=\"cpu\"}", 0.0),
        entry("node_scrape_collector_success{collector=\"time\"}", 1.0),
        entry("node_time_seconds", 10.0));
    assertThat(m.keySet()).noneMatch(k -> k.startsWith("node_cpu_seconds_total"));
  }
}
