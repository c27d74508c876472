package syslens.report;

/**
 * The PromQL behind every report figure. VMs and ESXi hosts use the vSphere collector's names
 * (docs/vsphere.md), agent nodes node_exporter's; {@code $S} is the step, and every expression
 * keeps only {@code node, group, cluster} so the sources combine with {@code or}.
 */
final class Queries {
  private Queries() {}

  private static String gauge(String fn, String agg, String metric) {
    return agg + " by (" + Fetch.BY + ") (" + fn + "(" + metric + "[$S]))";
  }

  private static String vsphere(String fn, String agg, String suffix) {
    return gauge(fn, agg, "vsphere_vm_" + suffix) + " or " + gauge(fn, agg, "vsphere_host_" + suffix);
  }

  private static String sumRate(String metric) {
    return "sum by (" + Fetch.BY + ") (rate(" + metric + "[$S]))";
  }

  /** CPU busy ratio (0..1), step average. */
  static final String CPU = vsphere("avg_over_time", "avg", "cpu_usage_ratio")
      + " or (1 - avg by (" + Fetch.BY + ") (rate(node_cpu_seconds_total{mode=\"idle\"}[$S])))";
  /** CPU busy ratio, step maximum (vSphere only; agents' peak is their busiest step). */
  static final String CPU_PEAK = vsphere("max_over_time", "max", "cpu_usage_ratio");
  /** Memory used ratio (0..1), step average. */
  static final String MEMORY = vsphere("avg_over_time", "avg", "memory_usage_ratio")
      + " or (1 - " + gauge("avg_over_time", "sum", "node_memory_MemAvailable_bytes") + " / "
      + gauge("avg_over_time", "sum", "node_memory_MemTotal_bytes") + ")";
  static final String MEMORY_PEAK = vsphere("max_over_time", "max", "memory_usage_ratio");
  /** Disk throughput, read + write bytes per second. */
  static final String DISK = "(" + gauge("avg_over_time", "sum", "vsphere_vm_disk_read_bytes_per_second") + " + "
      + gauge("avg_over_time", "sum", "vsphere_vm_disk_write_bytes_per_second") + ") or ("
      + gauge("avg_over_time", "sum", "vsphere_host_disk_read_bytes_per_second") + " + "
      + gauge("avg_over_time", "sum", "vsphere_host_disk_write_bytes_per_second") + ") or ("
      + sumRate("node_disk_read_bytes_total") + " + " + sumRate("node_disk_written_bytes_total") + ")";
  /** Network throughput, received + transmitted bytes per second. */
  static final String NETWORK = "(" + gauge("avg_over_time", "sum", "vsphere_vm_net_received_bytes_per_second") + " + "
      + gauge("avg_over_time", "sum", "vsphere_vm_net_transmitted_bytes_per_second") + ") or ("
      + gauge("avg_over_time", "sum", "vsphere_host_net_received_bytes_per_second") + " + "
      + gauge("avg_over_time", "sum", "vsphere_host_net_transmitted_bytes_per_second") + ") or ("
      + sumRate("node_network_receive_bytes_total{device!=\"lo\"}") + " + "
      + sumRate("node_network_transmit_bytes_total{device!=\"lo\"}") + ")";
  /** CPU ready (VMs): time runnable but not scheduled, summed over vCPUs. */
  static final String CPU_READY = gauge("avg_over_time", "avg", "vsphere_vm_cpu_ready_ratio");
  /** Memory swapped out by the hypervisor (VMs), bytes. */
  static final String SWAPPED = gauge("avg_over_time", "avg", "vsphere_vm_memory_swapped_bytes");
  /** Share of the step the node was up (0..1). */
  static final String UP = gauge("avg_over_time", "avg", "up");
  private static final String FS = "{fstype!~\"tmpfs|overlay|squashfs|ramfs|devtmpfs\"}";
  /** Fullest file system's used ratio (agents). */
  static final String DISK_USED = "max by (" + Fetch.BY + ") (1 - avg_over_time(node_filesystem_avail_bytes" + FS
      + "[$S]) / avg_over_time(node_filesystem_size_bytes" + FS + "[$S]))";
  /** Datastore used ratio, one series per datastore. */
  static final String DATASTORE_USED = "max by (datastore, cluster) (1 - avg_over_time(vsphere_datastore_free_bytes[$S])"
      + " / avg_over_time(vsphere_datastore_capacity_bytes[$S]))";
  /** vCPUs of agent nodes (idle CPU series) at the end of the period. */
  static final String AGENT_VCPUS = "count by (" + Fetch.BY + ") (last_over_time(node_cpu_seconds_total{mode=\"idle\"}[$S]))";
  static final String AGENT_MEMORY = "max by (" + Fetch.BY + ") (last_over_time(node_memory_MemTotal_bytes[$S]))";
}
