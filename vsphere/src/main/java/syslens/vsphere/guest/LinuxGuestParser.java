package syslens.vsphere.guest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a Linux guest in one command ({@link #COMMAND}: {@code /proc/stat}, {@code /proc/meminfo},
 * {@code /proc/loadavg}, {@code /proc/net/dev}, {@code /proc/diskstats}, {@code /proc/mounts}
 * and {@code df -P -B1}, each after a marker line) and turns the output into node_exporter's
 * names, as the agent's collectors do (same names, labels, units and ignored devices, mounts and
 * filesystem types; the agent's parsers read files, these read the sections of one text, and the
 * vsphere module does not depend on the agent). A malformed line costs that line only.
 */
final class LinuxGuestParser {
  static final String MARK = "@@syslens:";
  /** POSIX sh; df under timeout(1) where present, so a hanging NFS mount cannot hold the session. */
  static final String COMMAND = "LC_ALL=C; export LC_ALL; for f in stat meminfo loadavg net/dev diskstats mounts; do"
      + " echo '" + MARK + "'$f; cat /proc/$f 2>/dev/null; done; echo '" + MARK + "df';"
      + " if command -v timeout >/dev/null 2>&1; then timeout 10 df -P -B1 2>/dev/null; else df -P -B1 2>/dev/null; fi;"
      + " echo '" + MARK + "end'";

  static final double USER_HZ = 100.0;
  private static final String[] CPU_MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
  private static final String[] RECEIVE = {"bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"};
  private static final String[] TRANSMIT = {"bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"};
  // The agent's DiskStatsCollector / FilesystemCollector defaults (node_exporter 1.5's).
  static final Pattern IGNORED_DEVICES = Pattern.compile("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");
  static final Pattern IGNORED_FS_TYPES = Pattern.compile(
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs"
          + "|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs"
          + "|squashfs|sysfs|tracefs)$");
  static final Pattern IGNORED_MOUNT_POINTS = Pattern.compile(
      "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)");
  private static final Object[][] DISK_FIELDS = {
    {3, "node_disk_reads_completed_total", 1.0}, {4, "node_disk_reads_merged_total", 1.0},
    {5, "node_disk_read_bytes_total", 512.0}, {6, "node_disk_read_time_seconds_total", 0.001},
    {7, "node_disk_writes_completed_total", 1.0}, {8, "node_disk_writes_merged_total", 1.0},
    {9, "node_disk_written_bytes_total", 512.0}, {10, "node_disk_write_time_seconds_total", 0.001},
    {11, "node_disk_io_now", 1.0}, {12, "node_disk_io_time_seconds_total", 0.001},
    {13, "node_disk_io_time_weighted_seconds_total", 0.001},
  };

  private LinuxGuestParser() {}

  /** The sections of the command's output by name ({@code stat}, {@code net/dev}, {@code df}, ...). */
  static Map<String, List<String>> sections(String output) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : output.split("\n", -1)) {
      if (line.startsWith(MARK)) {
        current = out.computeIfAbsent(line.substring(MARK.length()).strip(), k -> new ArrayList<>());
      } else if (current != null && !line.isEmpty()) {
        current.add(line);
      }
    }
    return out;
  }

  /** Parses the whole output; throws when it is not a Linux guest's. */
  static List<GuestMetric> parse(String output) throws GuestException {
    Map<String, List<String>> s = sections(output);
    if (!s.containsKey("end")) {
      throw new GuestException("the guest's output ended early (expected: the sections up to '" + MARK + "end')");
    }
    if (s.getOrDefault("stat", List.of()).isEmpty() || s.getOrDefault("meminfo", List.of()).isEmpty()) {
      throw new GuestException("no /proc/stat or /proc/meminfo in the guest's output (expected: a Linux guest)");
    }
    List<GuestMetric> out = new ArrayList<>();
    stat(s.get("stat"), out);
    meminfo(s.get("meminfo"), out);
    loadavg(s.getOrDefault("loadavg", List.of()), out);
    netdev(s.getOrDefault("net/dev", List.of()), out);
    diskstats(s.getOrDefault("diskstats", List.of()), out);
    filesystems(s.getOrDefault("mounts", List.of()), s.getOrDefault("df", List.of()), out);
    return out;
  }

  private static String[] fields(String line) {
    return line.strip().split("\\s+");
  }

  static void stat(List<String> lines, List<GuestMetric> out) {
    for (String line : lines) {
      String[] f = fields(line);
      try {
        if (f[0].startsWith("cpu") && f[0].length() > 3 && Character.isDigit(f[0].charAt(3))) {
          String cpu = f[0].substring(3);
          for (int i = 0; i < CPU_MODES.length && i + 1 < f.length; i++) {
            out.add(GuestMetric.of("node_cpu_seconds_total", Long.parseLong(f[i + 1]) / USER_HZ,
                "cpu", cpu, "mode", CPU_MODES[i]));
          }
          if (f.length > 10) {
            out.add(GuestMetric.of("node_cpu_guest_seconds_total", Long.parseLong(f[9]) / USER_HZ, "cpu", cpu, "mode", "user"));
            out.add(GuestMetric.of("node_cpu_guest_seconds_total", Long.parseLong(f[10]) / USER_HZ, "cpu", cpu, "mode", "nice"));
          }
        } else if (f.length >= 2) {
          String name = switch (f[0]) {
            case "intr" -> "node_intr_total";
            case "ctxt" -> "node_context_switches_total";
            case "btime" -> "node_boot_time_seconds";
            case "processes" -> "node_forks_total";
            case "procs_running" -> "node_procs_running";
            case "procs_blocked" -> "node_procs_blocked";
            default -> null;
          };
          if (name != null) {
            out.add(GuestMetric.of(name, Double.parseDouble(f[1])));
          }
        }
      } catch (NumberFormatException e) {
        // a malformed line costs that line
      }
    }
  }

  /** node_exporter's meminfo names: {@code Active(anon)} becomes {@code Active_anon}, kB becomes bytes. */
  static void meminfo(List<String> lines, List<GuestMetric> out) {
    for (String line : lines) {
      String[] f = fields(line);
      if (f.length < 2 || !f[0].endsWith(":")) {
        continue;
      }
      String key = f[0].substring(0, f[0].length() - 1);
      int open = key.indexOf('(');
      int close = key.lastIndexOf(')');
      if (open >= 0 && close > open) {
        key = key.substring(0, open) + "_" + key.substring(open + 1, close) + key.substring(close + 1);
      }
      try {
        double v = Double.parseDouble(f[1]);
        if (f.length == 3) {
          out.add(GuestMetric.of("node_memory_" + key + "_bytes", v * 1024));
        } else if (f.length == 2) {
          out.add(GuestMetric.of("node_memory_" + key, v));
        }
      } catch (NumberFormatException e) {
        // skip the line
      }
    }
  }

  static void loadavg(List<String> lines, List<GuestMetric> out) {
    if (lines.isEmpty()) {
      return;
    }
    String[] f = fields(lines.getFirst());
    try {
      if (f.length >= 3) {
        double l1 = Double.parseDouble(f[0]);
        double l5 = Double.parseDouble(f[1]);
        double l15 = Double.parseDouble(f[2]);
        out.add(GuestMetric.of("node_load1", l1));
        out.add(GuestMetric.of("node_load5", l5));
        out.add(GuestMetric.of("node_load15", l15));
      }
    } catch (NumberFormatException e) {
      // skip
    }
  }

  /** Every device but the loopback, as the agent (and node_exporter's netlink mode). */
  static void netdev(List<String> lines, List<GuestMetric> out) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.contains("|")) {
        continue;
      }
      String device = line.substring(0, colon).strip();
      String[] f = fields(line.substring(colon + 1));
      if (device.equals("lo") || f.length < 16) {
        continue;
      }
      try {
        List<GuestMetric> dev = new ArrayList<>(16);
        for (int i = 0; i < 8; i++) {
          dev.add(GuestMetric.of("node_network_receive_" + RECEIVE[i] + "_total", Double.parseDouble(f[i]), "device", device));
          dev.add(GuestMetric.of("node_network_transmit_" + TRANSMIT[i] + "_total", Double.parseDouble(f[8 + i]),
              "device", device));
        }
        out.addAll(dev);
      } catch (NumberFormatException e) {
        // skip the device
      }
    }
  }

  static void diskstats(List<String> lines, List<GuestMetric> out) {
    for (String line : lines) {
      String[] f = fields(line);
      if (f.length < 14 || IGNORED_DEVICES.matcher(f[2]).matches()) {
        continue;
      }
      try {
        List<GuestMetric> dev = new ArrayList<>(DISK_FIELDS.length);
        for (Object[] field : DISK_FIELDS) {
          dev.add(GuestMetric.of((String) field[1], Double.parseDouble(f[(Integer) field[0]]) * (Double) field[2],
              "device", f[2]));
        }
        out.addAll(dev);
      } catch (NumberFormatException e) {
        // skip the device
      }
    }
  }

  /**
   * Mounts from {@code /proc/mounts} (device, fstype, options) joined by mount point with
   * {@code df -P -B1} (size, used, available: statvfs's blocks, blocks - bfree, bavail).
   */
  static void filesystems(List<String> mounts, List<String> df, List<GuestMetric> out) {
    Map<String, long[]> sizes = new HashMap<>();
    for (String line : df) {
      String[] f = fields(line);
      if (f.length < 6 || f[1].equals("1-blocks") || f[1].equals("1B-blocks")) {
        continue;
      }
      try {
        String mountpoint = String.join(" ", java.util.Arrays.copyOfRange(f, 5, f.length));
        sizes.put(mountpoint, new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
      } catch (NumberFormatException e) {
        // "-" for a mount df could not read
      }
    }
    Set<String> seen = new HashSet<>();
    for (String line : mounts) {
      String[] f = fields(line);
      if (f.length < 4) {
        continue;
      }
      String device = unescapeOctal(f[0]);
      String mountpoint = unescapeOctal(f[1]);
      String fstype = f[2];
      if (IGNORED_MOUNT_POINTS.matcher(mountpoint).find() || IGNORED_FS_TYPES.matcher(fstype).find()
          || !seen.add(mountpoint)) {
        continue;
      }
      String[] labels = {"device", device, "fstype", fstype, "mountpoint", mountpoint};
      long[] s = sizes.get(mountpoint);
      if (s == null) {
        out.add(GuestMetric.of("node_filesystem_device_error", 1, labels));
        continue;
      }
      out.add(GuestMetric.of("node_filesystem_device_error", 0, labels));
      out.add(GuestMetric.of("node_filesystem_readonly", List.of(f[3].split(",")).contains("ro") ? 1 : 0, labels));
      out.add(GuestMetric.of("node_filesystem_size_bytes", s[0], labels));
      out.add(GuestMetric.of("node_filesystem_free_bytes", s[0] - s[1], labels));
      out.add(GuestMetric.of("node_filesystem_avail_bytes", s[2], labels));
    }
  }

  /** {@code /proc/mounts} writes space, tab, newline and backslash as {@code \040} and so on. */
  static String unescapeOctal(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()
          && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
