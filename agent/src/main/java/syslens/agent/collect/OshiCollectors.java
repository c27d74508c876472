package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * Collectors for Windows and macOS through OSHI, behind the same {@link Collector} interface and
 * with the Linux collectors' (node_exporter's) names where the meaning is the same: cpu, memory,
 * filesystems, network devices, load, boot time, OS info and process counts. Only this class and
 * its callers touch OSHI, and the agent reaches it only off Linux, so OSHI and JNA are never
 * loaded on the Linux path. OSHI also runs on Linux, which is how it is tested here.
 */
public final class OshiCollectors {

  private OshiCollectors() {}

  /** The collectors for this machine. */
  public static Supplier<List<Metric>> forThisHost(Clock clock) {
    SystemInfo si = new SystemInfo();
    return create(si.getHardware(), si.getOperatingSystem(), clock);
  }

  /** The collectors over the given OSHI abstractions. */
  static Supplier<List<Metric>> create(HardwareAbstractionLayer hal, OperatingSystem os, Clock clock) {
    requireNonNull(hal, "hal");
    requireNonNull(os, "os");
    LinuxCollectors set = LinuxCollectors.of(List.of(cpu(hal.getProcessor()), memory(hal.getMemory()),
        filesystem(os), netdev(hal), system(hal.getProcessor(), os), new TimeCollector(clock)));
    return set::collect;
  }

  /** What a collector does, as a lambda. */
  private interface Body {
    void collect(MetricSink sink) throws Exception;
  }

  private static Collector named(String name, Body body) {
    return new Collector() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void collect(MetricSink sink) throws Exception {
        body.collect(sink);
      }
    };
  }

  /** {@code node_cpu_seconds_total{cpu,mode}} from OSHI's per-processor ticks (milliseconds). */
  static Collector cpu(CentralProcessor cpu) {
    TickType[] types = TickType.values();
    return named("cpu", sink -> {
      long[][] ticks = cpu.getProcessorCpuLoadTicks();
      for (int c = 0; c < ticks.length; c++) {
        String id = Integer.toString(c);
        for (TickType t : types) {
          sink.add("node_cpu_seconds_total", ticks[c][t.getIndex()] / 1000.0, "cpu", id, "mode", mode(t));
        }
      }
    });
  }

  static String mode(TickType t) {
    return switch (t) {
      case USER -> "user";
      case NICE -> "nice";
      case SYSTEM -> "system";
      case IDLE -> "idle";
      case IOWAIT -> "iowait";
      case IRQ -> "irq";
      case SOFTIRQ -> "softirq";
      case STEAL -> "steal";
    };
  }

  static Collector memory(GlobalMemory mem) {
    return named("meminfo", sink -> {
      sink.add("node_memory_MemTotal_bytes", mem.getTotal());
      sink.add("node_memory_MemAvailable_bytes", mem.getAvailable());
      sink.add("node_memory_SwapTotal_bytes", mem.getVirtualMemory().getSwapTotal());
      sink.add("node_memory_SwapFree_bytes",
          mem.getVirtualMemory().getSwapTotal() - mem.getVirtualMemory().getSwapUsed());
    });
  }

  static Collector filesystem(OperatingSystem os) {
    return named("filesystem", sink -> {
      for (OSFileStore fs : os.getFileSystem().getFileStores(true)) {
        String mount = fs.getMount();
        if (FilesystemCollector.IGNORED_MOUNT_POINTS.matcher(mount).find()
            || FilesystemCollector.IGNORED_FS_TYPES.matcher(fs.getType()).find()) {
          continue;
        }
        String[] labels = {"device", fs.getVolume().isEmpty() ? fs.getName() : fs.getVolume(),
            "fstype", fs.getType(), "mountpoint", mount};
        sink.add("node_filesystem_size_bytes", fs.getTotalSpace(), labels);
        sink.add("node_filesystem_free_bytes", fs.getFreeSpace(), labels);
        sink.add("node_filesystem_avail_bytes", fs.getUsableSpace(), labels);
        if (fs.getTotalInodes() > 0) {
          sink.add("node_filesystem_files", fs.getTotalInodes(), labels);
          sink.add("node_filesystem_files_free", fs.getFreeInodes(), labels);
        }
        sink.add("node_filesystem_readonly", fs.getOptions().matches("(^|.*,)ro(,.*|$)") ? 1 : 0, labels);
      }
    });
  }

  static Collector netdev(HardwareAbstractionLayer hal) {
    return named("netdev", sink -> {
      for (NetworkIF n : hal.getNetworkIFs(false)) {
        String dev = n.getName();
        if (dev.equals("lo") || dev.startsWith("lo0")) {
          continue;
        }
        sink.add("node_network_receive_bytes_total", n.getBytesRecv(), "device", dev);
        sink.add("node_network_transmit_bytes_total", n.getBytesSent(), "device", dev);
        sink.add("node_network_receive_packets_total", n.getPacketsRecv(), "device", dev);
        sink.add("node_network_transmit_packets_total", n.getPacketsSent(), "device", dev);
        sink.add("node_network_receive_errs_total", n.getInErrors(), "device", dev);
        sink.add("node_network_transmit_errs_total", n.getOutErrors(), "device", dev);
        sink.add("node_network_receive_drop_total", n.getInDrops(), "device", dev);
        sink.add("node_network_transmit_colls_total", n.getCollisions(), "device", dev);
        sink.add("node_network_mtu_bytes", n.getMTU(), "device", dev);
      }
    });
  }

  static Collector system(CentralProcessor cpu, OperatingSystem os) {
    return named("system", sink -> {
      double[] load = cpu.getSystemLoadAverage(3);
      if (load[0] >= 0) { // negative where the OS has none (Windows)
        sink.add("node_load1", load[0]);
        sink.add("node_load5", load[1]);
        sink.add("node_load15", load[2]);
      }
      sink.add("node_boot_time_seconds", os.getSystemBootTime());
      sink.add("node_processes_pids", os.getProcessCount());
      sink.add("node_processes_threads", os.getThreadCount());
      var v = os.getVersionInfo();
      sink.add("node_os_info", 1, "id", os.getFamily().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'),
          "name", os.getFamily(), "version", v.getVersion() == null ? "" : v.getVersion(),
          "build_id", v.getBuildNumber() == null ? "" : v.getBuildNumber());
    });
  }
}
