package syslens.server.live;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import syslens.storage.Labels;

/**
 * Turns each batch of a node into a {@link LiveSample}: CPU and memory percentages and byte
 * rates from the node_exporter series in it, using the previous batch's counters. Same formulas
 * as the dashboard's PromQL (CPU = 1 - idle share; network excludes {@code lo}; disk usage is the
 * fullest real filesystem, tmpfs-like ones left out).
 */
public final class NodeSummaries {
  private final Map<String, Previous> previous = new ConcurrentHashMap<>();
  private final Map<String, LiveSample> latest = new ConcurrentHashMap<>();

  /** Accumulates one round's series before {@link Round#finish}. */
  public static final class Round {
    private final String nodeId;
    long t = Long.MIN_VALUE;
    double cpuIdle;
    double cpuTotal;
    boolean hasCpu;
    double rx;
    double tx;
    double read;
    double written;
    boolean hasNet;
    boolean hasDisk;
    Double memTotal;
    Double memAvailable;
    Double load1;
    /** Per mount point: size and available bytes of real (not tmpfs-like) filesystems. */
    Map<String, double[]> filesystems;

    Round(String nodeId) {
      this.nodeId = nodeId;
    }

    /** Feeds the newest sample of one series. */
    public void add(Labels labels, long ts, double v) {
      t = Math.max(t, ts);
      switch (labels.metricName()) {
        case "node_cpu_seconds_total" -> {
          hasCpu = true;
          cpuTotal += v;
          if (labels.get("mode").equals("idle")) {
            cpuIdle += v;
          }
        }
        case "node_memory_MemTotal_bytes" -> memTotal = v;
        case "node_memory_MemAvailable_bytes" -> memAvailable = v;
        case "node_load1" -> load1 = v;
        case "node_network_receive_bytes_total" -> {
          if (!labels.get("device").equals("lo")) {
            hasNet = true;
            rx += v;
          }
        }
        case "node_network_transmit_bytes_total" -> {
          if (!labels.get("device").equals("lo")) {
            hasNet = true;
            tx += v;
          }
        }
        case "node_filesystem_size_bytes" -> fs(labels)[0] = v;
        case "node_filesystem_avail_bytes" -> fs(labels)[1] = v;
        case "node_disk_read_bytes_total" -> {
          hasDisk = true;
          read += v;
        }
        case "node_disk_written_bytes_total" -> {
          hasDisk = true;
          written += v;
        }
        default -> { }
      }
    }

    private double[] fs(Labels labels) {
      if (filesystems == null) {
        filesystems = new java.util.HashMap<>();
      }
      if (VIRTUAL_FS.contains(labels.get("fstype"))) {
        return new double[2];
      }
      return filesystems.computeIfAbsent(labels.get("mountpoint"), k -> new double[] {Double.NaN, Double.NaN});
    }

    /** The fullest real filesystem's used share in percent, or null without one. */
    Double diskPercent() {
      if (filesystems == null) {
        return null;
      }
      double max = -1;
      for (double[] f : filesystems.values()) {
        if (f[0] > 0 && !Double.isNaN(f[1])) {
          max = Math.max(max, 100.0 * (1.0 - f[1] / f[0]));
        }
      }
      return max < 0 ? null : clamp(max);
    }
  }

  /** Filesystems that hold no persistent data: left out of the disk usage share. */
  private static final java.util.Set<String> VIRTUAL_FS = java.util.Set.of("tmpfs", "devtmpfs", "overlay",
      "squashfs", "ramfs", "proc", "sysfs", "nsfs", "autofs", "fuse.lxcfs");

  /** The previous reading of one counter family: cpu (idle, total), net (rx, tx), disk (read, written). */
  private record Reading(long t, double a, double b) {}

  private record Previous(Reading cpu, Reading net, Reading disk) {}

  public Round begin(String nodeId) {
    return new Round(nodeId);
  }

  /**
   * Computes the sample for the round, or empty when the round carried no samples. A round split
   * over several batches updates only the families each batch carries; the others keep their
   * last values.
   */
  public Optional<LiveSample> finish(Round r) {
    if (r.t == Long.MIN_VALUE) {
      return Optional.empty();
    }
    Reading cpuNow = r.hasCpu ? new Reading(r.t, r.cpuIdle, r.cpuTotal) : null;
    Reading netNow = r.hasNet ? new Reading(r.t, r.rx, r.tx) : null;
    Reading diskNow = r.hasDisk ? new Reading(r.t, r.read, r.written) : null;
    Previous[] prevHolder = new Previous[1];
    previous.compute(r.nodeId, (k, p) -> {
      prevHolder[0] = p;
      return p == null ? new Previous(cpuNow, netNow, diskNow)
          : new Previous(or(cpuNow, p.cpu), or(netNow, p.net), or(diskNow, p.disk));
    });
    Previous prev = prevHolder[0];
    LiveSample old = latest.get(r.nodeId);
    Double cpu = old == null ? null : old.cpuPercent();
    Double rx = old == null ? null : old.netRxBytesPerSec();
    Double tx = old == null ? null : old.netTxBytesPerSec();
    Double read = old == null ? null : old.diskReadBytesPerSec();
    Double written = old == null ? null : old.diskWriteBytesPerSec();
    if (cpuNow != null) {
      Reading p = prev == null ? null : prev.cpu;
      cpu = null;
      if (p != null && cpuNow.t > p.t) {
        double dIdle = cpuNow.a - p.a;
        double dTotal = cpuNow.b - p.b;
        cpu = dTotal > 0 && dIdle >= 0 ? clamp(100.0 * (1.0 - dIdle / dTotal)) : null;
      }
    }
    if (netNow != null) {
      Reading p = prev == null ? null : prev.net;
      rx = rate(p, netNow, true);
      tx = rate(p, netNow, false);
    }
    if (diskNow != null) {
      Reading p = prev == null ? null : prev.disk;
      read = rate(p, diskNow, true);
      written = rate(p, diskNow, false);
    }
    Double mem = r.memTotal != null && r.memAvailable != null && r.memTotal > 0
        ? Double.valueOf(clamp(100.0 * (1.0 - r.memAvailable / r.memTotal)))
        : old == null ? null : old.memoryPercent();
    Double load1 = r.load1 != null ? r.load1 : old == null ? null : old.load1();
    Double disk = r.diskPercent();
    if (disk == null && old != null) {
      disk = old.diskPercent();
    }
    LiveSample s = new LiveSample(r.nodeId, r.t, cpu, mem, load1, rx, tx, read, written, disk);
    latest.put(r.nodeId, s);
    return Optional.of(s);
  }

  public Optional<LiveSample> latest(String nodeId) {
    return Optional.ofNullable(latest.get(nodeId));
  }

  private static Reading or(Reading a, Reading b) {
    return a != null ? a : b;
  }

  /** Bytes per second between two readings; null on the first one or a counter reset. */
  private static Double rate(Reading prev, Reading now, boolean first) {
    if (prev == null || now.t <= prev.t) {
      return null;
    }
    double a = first ? prev.a : prev.b;
    double b = first ? now.a : now.b;
    return b >= a ? (b - a) / ((now.t - prev.t) / 1000.0) : null;
  }

  private static double clamp(double p) {
    return Math.max(0, Math.min(100, p));
  }
}
