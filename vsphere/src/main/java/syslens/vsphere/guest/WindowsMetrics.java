package syslens.vsphere.guest;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * WMI instances to windows_exporter-like series (names and labels as windows_exporter's where it
 * has the figure; the {@code Win32_PerfFormatted*} classes give rates and percentages of the last
 * sampling interval, so those series are gauges ({@code _ratio}, {@code _per_second}) rather than
 * windows_exporter's counters). The mapping table is in docs/vsphere.md.
 */
final class WindowsMetrics {
  static final String PROCESSOR = "Win32_PerfFormattedData_PerfOS_Processor";
  static final String OS = "Win32_OperatingSystem";
  static final String DISK = "Win32_LogicalDisk";
  static final String NIC = "Win32_PerfFormattedData_Tcpip_NetworkInterface";
  static final String PROCESS = "Win32_PerfFormattedData_PerfProc_Process";
  static final List<String> CLASSES = List.of(PROCESSOR, OS, DISK, NIC, PROCESS);
  static final int TOP_PROCESSES = 10;

  private WindowsMetrics() {}

  static List<GuestMetric> map(Map<String, List<Map<String, String>>> data) {
    List<GuestMetric> out = new ArrayList<>();
    for (Map<String, String> p : data.getOrDefault(PROCESSOR, List.of())) {
      String core = p.getOrDefault("Name", "");
      if (core.equals("_Total")) {
        num(p, "PercentProcessorTime").ifPresent(v -> out.add(GuestMetric.of("windows_cpu_usage_ratio", v / 100)));
        continue;
      }
      String[][] modes = {{"PercentIdleTime", "idle"}, {"PercentUserTime", "user"},
          {"PercentPrivilegedTime", "privileged"}, {"PercentInterruptTime", "interrupt"}, {"PercentDPCTime", "dpc"}};
      for (String[] m : modes) {
        num(p, m[0]).ifPresent(v -> out.add(GuestMetric.of("windows_cpu_time_ratio", v / 100, "core", core, "mode", m[1])));
      }
    }
    for (Map<String, String> os : data.getOrDefault(OS, List.of())) {
      kib(os, "TotalVisibleMemorySize", "windows_os_visible_memory_bytes", out);
      kib(os, "FreePhysicalMemory", "windows_os_physical_memory_free_bytes", out);
      kib(os, "TotalVirtualMemorySize", "windows_os_virtual_memory_bytes", out);
      kib(os, "FreeVirtualMemory", "windows_os_virtual_memory_free_bytes", out);
      num(os, "NumberOfProcesses").ifPresent(v -> out.add(GuestMetric.of("windows_os_processes", v)));
      num(os, "NumberOfUsers").ifPresent(v -> out.add(GuestMetric.of("windows_os_users", v)));
      String boot = os.get("LastBootUpTime");
      if (boot != null) {
        Double t = cimDateTime(boot);
        if (t != null) {
          out.add(GuestMetric.of("windows_system_boot_time_timestamp_seconds", t));
        }
      }
    }
    for (Map<String, String> d : data.getOrDefault(DISK, List.of())) {
      String volume = d.getOrDefault("DeviceID", "");
      if (volume.isEmpty() || !d.containsKey("Size")) {
        continue; // an empty drive (DVD without a disc)
      }
      num(d, "Size").ifPresent(v -> out.add(GuestMetric.of("windows_logical_disk_size_bytes", v, "volume", volume)));
      num(d, "FreeSpace").ifPresent(v -> out.add(GuestMetric.of("windows_logical_disk_free_bytes", v, "volume", volume)));
    }
    for (Map<String, String> n : data.getOrDefault(NIC, List.of())) {
      String nic = nicName(n.getOrDefault("Name", ""));
      num(n, "BytesReceivedPersec").ifPresent(v -> out.add(GuestMetric.of("windows_net_bytes_received_per_second", v, "nic", nic)));
      num(n, "BytesSentPersec").ifPresent(v -> out.add(GuestMetric.of("windows_net_bytes_sent_per_second", v, "nic", nic)));
      num(n, "PacketsReceivedErrors").ifPresent(v -> out.add(GuestMetric.of("windows_net_packets_received_errors_total", v, "nic", nic)));
      num(n, "PacketsOutboundDiscarded").ifPresent(v -> out.add(GuestMetric.of("windows_net_packets_outbound_discarded_total", v, "nic", nic)));
      num(n, "CurrentBandwidth").ifPresent(v -> out.add(GuestMetric.of("windows_net_current_bandwidth_bytes", v / 8, "nic", nic)));
    }
    List<Map<String, String>> procs = new ArrayList<>(data.getOrDefault(PROCESS, List.of()));
    procs.removeIf(p -> p.getOrDefault("Name", "").equals("_Total") || p.getOrDefault("Name", "").equals("Idle"));
    procs.sort(Comparator.comparingDouble((Map<String, String> p) -> num(p, "PercentProcessorTime").orElse(0.0)).reversed());
    for (Map<String, String> p : procs.subList(0, Math.min(TOP_PROCESSES, procs.size()))) {
      String name = p.getOrDefault("Name", "");
      int hash = name.indexOf('#'); // "svchost#3": WMI's instance suffix, not part of the name
      String process = hash > 0 ? name.substring(0, hash) : name;
      String pid = p.getOrDefault("IDProcess", "");
      num(p, "PercentProcessorTime").ifPresent(v -> out.add(GuestMetric.of("windows_process_cpu_ratio", v / 100,
          "process", process, "process_id", pid)));
      num(p, "WorkingSetPrivate").ifPresent(v -> out.add(GuestMetric.of("windows_process_working_set_private_bytes", v,
          "process", process, "process_id", pid)));
      num(p, "WorkingSet").ifPresent(v -> out.add(GuestMetric.of("windows_process_working_set_bytes", v,
          "process", process, "process_id", pid)));
    }
    return out;
  }

  private static void kib(Map<String, String> m, String prop, String name, List<GuestMetric> out) {
    num(m, prop).ifPresent(v -> out.add(GuestMetric.of(name, v * 1024)));
  }

  static java.util.Optional<Double> num(Map<String, String> m, String prop) {
    String v = m.get(prop);
    if (v == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(Double.parseDouble(v.strip()));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** windows_exporter's nic label: every character other than a letter or digit becomes '_'. */
  static String nicName(String name) {
    return name.replaceAll("[^a-zA-Z0-9]", "_");
  }

  /**
   * CIM_DATETIME ({@code yyyymmddHHMMSS.mmmmmmsUUU}, UUU the offset in minutes) or the
   * WS-Management form ({@code <Datetime>2026-11-30T08:00:00+01:00</Datetime>} flattened to text).
   */
  static Double cimDateTime(String s) {
    try {
      if (s.length() >= 25 && s.charAt(14) == '.') {
        LocalDateTime t = LocalDateTime.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(4, 6)),
            Integer.parseInt(s.substring(6, 8)), Integer.parseInt(s.substring(8, 10)),
            Integer.parseInt(s.substring(10, 12)), Integer.parseInt(s.substring(12, 14)));
        int offsetMin = Integer.parseInt(s.substring(21, 25).replace("+", ""));
        return (double) t.toEpochSecond(ZoneOffset.ofTotalSeconds(offsetMin * 60));
      }
      return (double) java.time.OffsetDateTime.parse(s.strip()).toEpochSecond();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
