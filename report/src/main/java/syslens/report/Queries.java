package syslens.report;

/**
 * The PromQL behind every report figure. VMs and ESXi hosts use the vSphere collector's names
 * (docs/vsphere.md), one series per node and metric, so they are selected without aggregation
 * (cheapest for large fleets) and combined in {@link Data}; agent nodes use node_exporter's
 * names, aggregated per node. {@code $S} is the step.
 */
final class Queries {
  private Queries() {}

  static final String BY = "node, group, cluster";
  static final String VM = "vsphere_vm_";
  static final String HOST = "vsphere_host_";

  /** {@code fn} over each step of a vSphere metric ({@code prefix} VM or HOST). */
  static String vsphere(String fn, String prefix, String suffix) {
    return fn + "(" + prefix + suffix + "[$S])";
  }

  private static String sumRate(String metric) {
    return "sum by (" + BY + ") (rate(" + metric + "[$S]))";
  }

  private static String agentGauge(String metric) {
    return "sum by (" + BY + ") (avg_over_time(" + metric + "[$S]))";
  }

  /** Agent CPU busy ratio (0..1), step average. */
  static final String AGENT_CPU = "1 - avg by (" + BY + ") (rate(node_cpu_seconds_total{mode=\"idle\"}[$S]))";
  /** Agent memory used ratio (0..1). */
  static final String AGENT_MEMORY_USED = "1 - " + agentGauge("node_memory_MemAvailable_bytes") + " / "
      + agentGauge("node_memory_MemTotal_bytes");
  /** Agent disk throughput, read + write bytes per second. */
  static final String AGENT_DISK = sumRate("node_disk_read_bytes_total") + " + " + sumRate("node_disk_written_bytes_total");
  /** Agent network throughput, received + transmitted bytes per second. */
  static final String AGENT_NETWORK = sumRate("node_network_receive_bytes_total{device!=\"lo\"}") + " + "
      + sumRate("node_network_transmit_bytes_total{device!=\"lo\"}");
  /** Share of the step the node was up (0..1). */
  static final String UP = "avg by (" + BY + ") (avg_over_time(up[$S]))";
  private static final String FS = "{fstype!~\"tmpfs|overlay|squashfs|ramfs|devtmpfs\"}";
  /** Fullest file system's used ratio (agents). */
  static final String DISK_USED = "max by (" + BY + ") (1 - avg_over_time(node_filesystem_avail_bytes" + FS
      + "[$S]) / avg_over_time(node_filesystem_size_bytes" + FS + "[$S]))";
  /** Datastore used ratio, one series per datastore. */
  static final String DATASTORE_USED = "max by (datastore, cluster) (1 - avg_over_time(vsphere_datastore_free_bytes[$S])"
      + " / avg_over_time(vsphere_datastore_capacity_bytes[$S]))";
  /** vCPUs of agent nodes (idle CPU series). */
  static final String AGENT_VCPUS = "count by (" + BY + ") (last_over_time(node_cpu_seconds_total{mode=\"idle\"}[$S]))";
  static final String AGENT_MEMORY = "max by (" + BY + ") (last_over_time(node_memory_MemTotal_bytes[$S]))";
}
