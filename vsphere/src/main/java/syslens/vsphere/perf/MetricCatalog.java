package syslens.vsphere.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import syslens.vsphere.client.PerfCounter;

/**
 * The vSphere counters SysLens collects and the Prometheus-style names they get, in base units:
 * {@code vsphere_<vm|host>_<group>_<what>_<unit>}. vCenter reports percentages in hundredths
 * (0..10000), memory in KiB, rates in KiB/s, latencies in ms and "summation" counters as
 * milliseconds (or counts) per sample interval; every definition says how to convert.
 * docs/vsphere.md lists the names beside Telegraf's.
 */
public final class MetricCatalog {
  /**
   * Which entities a definition applies to: VMs and hosts from the realtime (20 s) interval,
   * clusters and datastores from the 5-minute historical one (vCenter keeps no realtime figures
   * for them).
   */
  public enum Kind {
    VM, HOST, CLUSTER, DATASTORE;

    /** The series name prefix: vsphere_vm_, vsphere_host_, vsphere_cluster_, vsphere_datastore_. */
    String prefix() {
      return "vsphere_" + name().toLowerCase(java.util.Locale.ROOT) + "_";
    }
  }

  /** How a raw value becomes a base-unit value, given the sample interval in seconds. */
  enum Scale {
    HUNDREDTHS_PERCENT_TO_RATIO, KIB_TO_BYTES, MHZ_TO_HERTZ, MS_PER_INTERVAL_TO_RATIO,
    COUNT_PER_INTERVAL_TO_RATE, MS_TO_SECONDS;

    double apply(long raw, int intervalSeconds) {
      return switch (this) {
        case HUNDREDTHS_PERCENT_TO_RATIO -> raw / 10_000.0;
        case KIB_TO_BYTES -> raw * 1024.0;
        case MHZ_TO_HERTZ -> raw * 1_000_000.0;
        case MS_PER_INTERVAL_TO_RATIO -> raw / (intervalSeconds * 1000.0);
        case COUNT_PER_INTERVAL_TO_RATE -> raw / (double) intervalSeconds;
        case MS_TO_SECONDS -> raw / 1000.0;
      };
    }
  }

  /** One counter's mapping. */
  public record Def(String counter, String suffix, Scale scale, boolean vm, boolean host, Kind only) {
    /** A realtime counter for VMs and/or hosts. */
    Def(String counter, String suffix, Scale scale, boolean vm, boolean host) {
      this(counter, suffix, scale, vm, host, null);
    }

    /** A 5-minute counter of one historical kind (clusters or datastores). */
    Def(String counter, String suffix, Scale scale, Kind only) {
      this(counter, suffix, scale, false, false, only);
    }

    public String metricName(Kind kind) {
      return kind.prefix() + suffix;
    }

    boolean appliesTo(Kind kind) {
      return switch (kind) {
        case VM -> vm;
        case HOST -> host;
        case CLUSTER, DATASTORE -> only == kind;
      };
    }
  }

  /** A definition resolved against a vCenter's counter ids. */
  public record Resolved(int counterId, Def def) {}

  static final List<Def> DEFAULT = List.of(
      new Def("cpu.usage.average", "cpu_usage_ratio", Scale.HUNDREDTHS_PERCENT_TO_RATIO, true, true),
      new Def("cpu.usagemhz.average", "cpu_usage_hertz", Scale.MHZ_TO_HERTZ, true, true),
      new Def("cpu.ready.summation", "cpu_ready_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, true, true),
      new Def("cpu.wait.summation", "cpu_wait_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, true, true),
      new Def("cpu.costop.summation", "cpu_costop_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, true, true),
      new Def("mem.usage.average", "memory_usage_ratio", Scale.HUNDREDTHS_PERCENT_TO_RATIO, true, true),
      new Def("mem.active.average", "memory_active_bytes", Scale.KIB_TO_BYTES, true, true),
      new Def("mem.consumed.average", "memory_consumed_bytes", Scale.KIB_TO_BYTES, true, true),
      new Def("mem.vmmemctl.average", "memory_balloon_bytes", Scale.KIB_TO_BYTES, true, true),
      new Def("mem.swapped.average", "memory_swapped_bytes", Scale.KIB_TO_BYTES, true, false),
      new Def("mem.swapused.average", "memory_swap_used_bytes", Scale.KIB_TO_BYTES, false, true),
      new Def("disk.read.average", "disk_read_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("disk.write.average", "disk_write_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("disk.maxTotalLatency.latest", "disk_max_latency_seconds", Scale.MS_TO_SECONDS, true, true),
      new Def("disk.totalReadLatency.average", "disk_read_latency_seconds", Scale.MS_TO_SECONDS, false, true),
      new Def("disk.totalWriteLatency.average", "disk_write_latency_seconds", Scale.MS_TO_SECONDS, false, true),
      new Def("datastore.read.average", "datastore_read_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("datastore.write.average", "datastore_write_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("net.received.average", "net_received_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("net.transmitted.average", "net_transmitted_bytes_per_second", Scale.KIB_TO_BYTES, true, true),
      new Def("net.droppedRx.summation", "net_received_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, true, true),
      new Def("net.droppedTx.summation", "net_transmitted_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, true, true),
      // 5-minute (historical interval) figures of clusters and datastores
      new Def("cpu.usage.average", "cpu_usage_ratio", Scale.HUNDREDTHS_PERCENT_TO_RATIO, Kind.CLUSTER),
      new Def("cpu.usagemhz.average", "cpu_usage_hertz", Scale.MHZ_TO_HERTZ, Kind.CLUSTER),
      new Def("clusterServices.effectivecpu.average", "effective_cpu_hertz", Scale.MHZ_TO_HERTZ, Kind.CLUSTER),
      new Def("mem.usage.average", "memory_usage_ratio", Scale.HUNDREDTHS_PERCENT_TO_RATIO, Kind.CLUSTER),
      new Def("mem.consumed.average", "memory_consumed_bytes", Scale.KIB_TO_BYTES, Kind.CLUSTER),
      new Def("disk.used.latest", "used_bytes", Scale.KIB_TO_BYTES, Kind.DATASTORE),
      new Def("disk.provisioned.latest", "provisioned_bytes", Scale.KIB_TO_BYTES, Kind.DATASTORE));

  private MetricCatalog() {}

  public static List<Def> defaults() {
    return DEFAULT;
  }

  /** The definitions for {@code kind} whose counters this vCenter has (others are skipped). */
  public static List<Resolved> resolve(Map<String, PerfCounter> counters, Kind kind) {
    List<Resolved> out = new ArrayList<>();
    for (Def d : DEFAULT) {
      PerfCounter c = counters.get(d.counter());
      if (c != null && d.appliesTo(kind)) {
        out.add(new Resolved(c.key(), d));
      }
    }
    return out;
  }
}
