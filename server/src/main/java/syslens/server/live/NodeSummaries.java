package syslens.server.live;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import syslens.storage.Labels;

/**
 * Turns each batch of a node into a {@link LiveSample}: CPU and memory percentages and byte
 * rates from the node_exporter series in it, using the previous batch's counters. Same formulas
 * as the dashboard's PromQL (CPU = 1 - idle share; network excludes {@code lo}).
 */
public final class NodeSummaries {
  private final Map<String, Counters> previous = new ConcurrentHashMap<>();
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
  }

  private record Counters(long t, boolean hasCpu, double cpuIdle, double cpuTotal, boolean hasNet,
      double rx, double tx, boolean hasDisk, double read, double written) {}

  public Round begin(String nodeId) {
    return new Round(nodeId);
  }

  /** Computes the sample for the round, or empty when the round carried no samples. */
  public Optional<LiveSample> finish(Round r) {
    if (r.t == Long.MIN_VALUE) {
      return Optional.empty();
    }
    Counters now = new Counters(r.t, r.hasCpu, r.cpuIdle, r.cpuTotal, r.hasNet, r.rx, r.tx,
        r.hasDisk, r.read, r.written);
    Counters prev = previous.put(r.nodeId, now);
    Double cpu = null;
    Double rx = null;
    Double tx = null;
    Double read = null;
    Double written = null;
    if (prev != null && now.t > prev.t) {
      double dt = (now.t - prev.t) / 1000.0;
      double dTotal = now.cpuTotal - prev.cpuTotal;
      double dIdle = now.cpuIdle - prev.cpuIdle;
      if (now.hasCpu && prev.hasCpu && dTotal > 0 && dIdle >= 0) {
        cpu = clamp(100.0 * (1.0 - dIdle / dTotal));
      }
      if (now.hasNet && prev.hasNet) {
        rx = rate(prev.rx, now.rx, dt);
        tx = rate(prev.tx, now.tx, dt);
      }
      if (now.hasDisk && prev.hasDisk) {
        read = rate(prev.read, now.read, dt);
        written = rate(prev.written, now.written, dt);
      }
    }
    Double mem = r.memTotal != null && r.memAvailable != null && r.memTotal > 0
        ? clamp(100.0 * (1.0 - r.memAvailable / r.memTotal)) : null;
    LiveSample s = new LiveSample(r.nodeId, r.t, cpu, mem, r.load1, rx, tx, read, written);
    LiveSample old = latest.get(r.nodeId);
    // Keep the last known percentages when this round could not compute them.
    if (old != null) {
      s = new LiveSample(s.nodeId(), s.t(), or(s.cpuPercent(), old.cpuPercent()),
          or(s.memoryPercent(), old.memoryPercent()), s.load1(), s.netRxBytesPerSec(),
          s.netTxBytesPerSec(), s.diskReadBytesPerSec(), s.diskWriteBytesPerSec());
    }
    latest.put(r.nodeId, s);
    return Optional.of(s);
  }

  public Optional<LiveSample> latest(String nodeId) {
    return Optional.ofNullable(latest.get(nodeId));
  }

  private static Double or(Double a, Double b) {
    return a != null ? a : b;
  }

  private static Double rate(double a, double b, double dt) {
    return b >= a ? (b - a) / dt : null; // counter reset: skip one point
  }

  private static double clamp(double p) {
    return Math.max(0, Math.min(100, p));
  }
}
