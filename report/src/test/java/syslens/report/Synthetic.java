package syslens.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

/**
 * The golden data set: one day of 60-second samples for three VMs in two clusters, written into a
 * real TSDB. Each value is constant within a 5-minute window (the report's step for a day), and
 * samples sit 30 s off the window edges, so what a window holds is never in doubt. The raw
 * samples are kept so tests compute expected figures without the report code.
 */
final class Synthetic {
  static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant END = START.plusSeconds(86_400);
  static final long WINDOW_MS = 300_000;
  static final int WINDOWS = 288;
  static final int PER_WINDOW = 5;

  /** node -> metric -> raw values in time order (PER_WINDOW per window). */
  final Map<String, Map<String, List<Double>>> raw = new LinkedHashMap<>();

  static double wave(int w, double base, double amp) {
    return base + amp * Math.sin(w / 7.0) + amp / 2 * ((w * 37) % 11) / 11.0;
  }

  void write(Tsdb tsdb) {
    vm(tsdb, "vm-a", "c1", Map.of(
        "vsphere_vm_cpu_usage_ratio", w -> wave(w, 0.10, 0.05),
        "vsphere_vm_memory_usage_ratio", w -> 0.20,
        "vsphere_vm_disk_read_bytes_per_second", w -> 1000 + 10 * (w % 13),
        "vsphere_vm_disk_write_bytes_per_second", w -> 500 + 7 * (w % 5),
        "vsphere_vm_net_received_bytes_per_second", w -> 20_000 + 100 * (w % 17),
        "vsphere_vm_net_transmitted_bytes_per_second", w -> 4000,
        "vsphere_vm_cpu_ready_ratio", w -> 0.01,
        "up", w -> w >= 100 && w <= 102 ? 0 : 1));
    vm(tsdb, "vm-b", "c1", Map.of(
        "vsphere_vm_cpu_usage_ratio", w -> wave(w, 0.93, 0.03),
        "vsphere_vm_memory_usage_ratio", w -> wave(w, 0.6, 0.1),
        "vsphere_vm_disk_read_bytes_per_second", w -> 5e6,
        "vsphere_vm_disk_write_bytes_per_second", w -> 2e6 + 1000 * w,
        "vsphere_vm_net_received_bytes_per_second", w -> 1e6,
        "vsphere_vm_net_transmitted_bytes_per_second", w -> 2e6,
        "vsphere_vm_cpu_ready_ratio", w -> 0.02,
        "up", w -> 1));
    vm(tsdb, "vm-c", "c2", Map.of(
        "vsphere_vm_cpu_usage_ratio", w -> wave(w, 0.5, 0.2),
        "vsphere_vm_memory_usage_ratio", w -> 0.5 + 0.001 * w,
        "vsphere_vm_disk_read_bytes_per_second", w -> 100,
        "vsphere_vm_disk_write_bytes_per_second", w -> 100,
        "vsphere_vm_net_received_bytes_per_second", w -> 300,
        "vsphere_vm_net_transmitted_bytes_per_second", w -> 300,
        "vsphere_vm_cpu_ready_ratio", w -> 0.2,
        "up", w -> 1));
  }

  private void vm(Tsdb tsdb, String node, String cluster, Map<String, IntToDoubleFunction> metrics) {
    Appender a = tsdb.appender();
    for (var e : new java.util.TreeMap<>(metrics).entrySet()) {
      Labels l = Labels.of("__name__", e.getKey(), "node", node, "instance", node, "vcenter", "vc1", "cluster", cluster,
          "vm", node);
      List<Double> vs = new ArrayList<>();
      for (int w = 0; w < WINDOWS; w++) {
        double v = e.getValue().applyAsDouble(w);
        for (int k = 0; k < PER_WINDOW; k++) {
          long t = START.toEpochMilli() + w * WINDOW_MS + 30_000 + k * 60_000;
          a.append(l, t, v);
          vs.add(v);
        }
      }
      raw.computeIfAbsent(node, n -> new LinkedHashMap<>()).put(e.getKey(), vs);
    }
    a.commit();
  }

  /** Raw samples of a metric (or the sum of two metrics sample by sample). */
  double[] values(String node, String... metrics) {
    List<Double> first = raw.get(node).get(metrics[0]);
    double[] out = new double[first.size()];
    for (String m : metrics) {
      List<Double> vs = raw.get(node).get(m);
      for (int i = 0; i < out.length; i++) {
        out[i] += vs.get(i);
      }
    }
    return out;
  }

  /** Means of each 5-minute window of raw samples. */
  static double[] windowMeans(double[] raw) {
    double[] out = new double[raw.length / PER_WINDOW];
    for (int w = 0; w < out.length; w++) {
      double s = 0;
      for (int k = 0; k < PER_WINDOW; k++) {
        s += raw[w * PER_WINDOW + k];
      }
      out[w] = s / PER_WINDOW;
    }
    return out;
  }

}
