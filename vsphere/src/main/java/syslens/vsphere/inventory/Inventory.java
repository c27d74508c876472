package syslens.vsphere.inventory;

import java.time.Instant;
import java.util.List;

/**
 * One vCenter's inventory at one moment: datacenters, clusters, ESXi hosts, VMs, datastores and
 * networks, with the relations resolved to names (the labels series carry). Ids are vCenter's
 * managed object ids (e.g. {@code vm-42}), unique within that vCenter.
 */
public record Inventory(String vcenter, Instant collectedAt, List<Datacenter> datacenters,
    List<Cluster> clusters, List<Host> hosts, List<Vm> vms, List<Datastore> datastores,
    List<Network> networks) {

  public record Datacenter(String id, String name) {}

  public record Cluster(String id, String name, String datacenter) {}

  /** An ESXi host; {@code cluster} is "" for a standalone host. */
  public record Host(String id, String name, String uuid, String datacenter, String cluster,
      String connectionState, String powerState, int cpuCores, long cpuMhz, long memoryBytes,
      String version) {}

  public record Vm(String id, String name, String instanceUuid, String powerState, String guestOs,
      List<String> ips, int vcpus, long memoryBytes, String hostId, String host, String cluster,
      String datacenter, String resourcePool, List<String> datastores, List<String> networks,
      String toolsStatus, boolean important) {}

  public record Datastore(String id, String name, String datacenter, String type, long capacityBytes,
      long freeBytes) {}

  public record Network(String id, String name, String datacenter) {}

  public static Inventory empty(String vcenter) {
    return new Inventory(vcenter, Instant.EPOCH, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
