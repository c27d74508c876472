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

  /**
   * The per-instance series a VM or host can have, each switched on or off as a whole
   * ({@link PerfInstances}): per CPU (label {@code cpu}: vCPU of a VM, logical CPU of a host), per
   * disk (label {@code device}: a VM's virtual disk {@code scsi0:0}, a host's storage device
   * {@code naa.*} and storage adapter {@code vmhba0}) and per network interface (label
   * {@code device}: a VM's NIC device key {@code 4000}, a host's {@code vmnic0}).
   */
  public enum Group {
    CPU("cpu"), DISK("device"), NET("device");

    private final String label;

    Group(String label) {
      this.label = label;
    }

    /** The label naming the instance. */
    public String label() {
      return label;
    }
  }

  /**
   * One counter's mapping. {@code group} is null for an entity's aggregate (instance {@code ""});
   * otherwise the definition takes the counter's other instances, each a series labelled
   * {@link Group#label()}, under a name of its own so that a sum over a name never adds the
   * aggregate to its parts.
   */
  public record Def(String counter, String suffix, Scale scale, boolean vm, boolean host, Kind only, Group group) {
    /** A realtime counter for VMs and/or hosts. */
    Def(String counter, String suffix, Scale scale, boolean vm, boolean host) {
      this(counter, suffix, scale, vm, host, null, null);
    }

    /** A 5-minute counter of one historical kind (clusters or datastores). */
    Def(String counter, String suffix, Scale scale, Kind only) {
      this(counter, suffix, scale, false, false, only, null);
    }

    /** A realtime per-instance counter of one kind (VM or host). */
    Def(String counter, String suffix, Scale scale, Kind kind, Group group) {
      this(counter, suffix, scale, kind == Kind.VM, kind == Kind.HOST, null, group);
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

  /** Per-instance counters (see {@link Group}), asked with instance "*" only when their group is on. */
  static final List<Def> INSTANCES = List.of(
      new Def("cpu.usagemhz.average", "vcpu_usage_hertz", Scale.MHZ_TO_HERTZ, Kind.VM, Group.CPU),
      new Def("cpu.ready.summation", "vcpu_ready_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, Kind.VM, Group.CPU),
      new Def("cpu.wait.summation", "vcpu_wait_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, Kind.VM, Group.CPU),
      new Def("cpu.costop.summation", "vcpu_costop_ratio", Scale.MS_PER_INTERVAL_TO_RATIO, Kind.VM, Group.CPU),
      new Def("virtualDisk.read.average", "virtual_disk_read_bytes_per_second", Scale.KIB_TO_BYTES, Kind.VM,
          Group.DISK),
      new Def("virtualDisk.write.average", "virtual_disk_write_bytes_per_second", Scale.KIB_TO_BYTES, Kind.VM,
          Group.DISK),
      new Def("virtualDisk.totalReadLatency.average", "virtual_disk_read_latency_seconds", Scale.MS_TO_SECONDS,
          Kind.VM, Group.DISK),
      new Def("virtualDisk.totalWriteLatency.average", "virtual_disk_write_latency_seconds", Scale.MS_TO_SECONDS,
          Kind.VM, Group.DISK),
      new Def("net.received.average", "nic_received_bytes_per_second", Scale.KIB_TO_BYTES, Kind.VM, Group.NET),
      new Def("net.transmitted.average", "nic_transmitted_bytes_per_second", Scale.KIB_TO_BYTES, Kind.VM, Group.NET),
      new Def("net.droppedRx.summation", "nic_received_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, Kind.VM, Group.NET),
      new Def("net.droppedTx.summation", "nic_transmitted_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, Kind.VM, Group.NET),
      new Def("cpu.usage.average", "pcpu_usage_ratio", Scale.HUNDREDTHS_PERCENT_TO_RATIO, Kind.HOST, Group.CPU),
      new Def("disk.read.average", "lun_read_bytes_per_second", Scale.KIB_TO_BYTES, Kind.HOST, Group.DISK),
      new Def("disk.write.average", "lun_write_bytes_per_second", Scale.KIB_TO_BYTES, Kind.HOST, Group.DISK),
      new Def("disk.totalReadLatency.average", "lun_read_latency_seconds", Scale.MS_TO_SECONDS, Kind.HOST,
          Group.DISK),
      new Def("disk.totalWriteLatency.average", "lun_write_latency_seconds", Scale.MS_TO_SECONDS, Kind.HOST,
          Group.DISK),
      new Def("storageAdapter.read.average", "storage_adapter_read_bytes_per_second", Scale.KIB_TO_BYTES,
          Kind.HOST, Group.DISK),
      new Def("storageAdapter.write.average", "storage_adapter_write_bytes_per_second", Scale.KIB_TO_BYTES,
          Kind.HOST, Group.DISK),
      new Def("storageAdapter.totalReadLatency.average", "storage_adapter_read_latency_seconds",
          Scale.MS_TO_SECONDS, Kind.HOST, Group.DISK),
      new Def("storageAdapter.totalWriteLatency.average", "storage_adapter_write_latency_seconds",
          Scale.MS_TO_SECONDS, Kind.HOST, Group.DISK),
      new Def("net.received.average", "nic_received_bytes_per_second", Scale.KIB_TO_BYTES, Kind.HOST, Group.NET),
      new Def("net.transmitted.average", "nic_transmitted_bytes_per_second", Scale.KIB_TO_BYTES, Kind.HOST,
          Group.NET),
      new Def("net.droppedRx.summation", "nic_received_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, Kind.HOST, Group.NET),
      new Def("net.droppedTx.summation", "nic_transmitted_dropped_packets_per_second",
          Scale.COUNT_PER_INTERVAL_TO_RATE, Kind.HOST, Group.NET));

  private MetricCatalog() {}

  public static List<Def> defaults() {
    return DEFAULT;
  }

  /** Every per-instance definition, whichever groups are on. */
  public static List<Def> instanceDefs() {
    return INSTANCES;
  }

  /** The per-instance definitions for {@code kind} in the {@code groups} switched on that this vCenter has. */
  public static List<Resolved> resolveInstances(Map<String, PerfCounter> counters, Kind kind,
      java.util.Set<Group> groups) {
    List<Resolved> out = new ArrayList<>();
    for (Def d : INSTANCES) {
      PerfCounter c = counters.get(d.counter());
      if (c != null && d.appliesTo(kind) && groups.contains(d.group())) {
        out.add(new Resolved(c.key(), d));
      }
    }
    return out;
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
