package syslens.vsphere;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.storage.Labels;
import syslens.vsphere.client.Moref;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.perf.MetricCatalog;
import syslens.vsphere.perf.PerfTarget;

/** Node ids, node records and series labels of a vCenter's VMs and ESXi hosts (guest collection reuses the VM ones). */
public final class VsphereNodes {
  private VsphereNodes() {}

  public static String vmId(String vcenter, Inventory.Vm vm) {
    return "vm:" + vcenter + ":" + (vm.instanceUuid().isEmpty() ? vm.id() : vm.instanceUuid());
  }

  static String hostId(String vcenter, Inventory.Host h) {
    return "esxi:" + vcenter + ":" + h.id();
  }

  public static Map<String, String> vmLabels(String vcenter, Inventory.Vm vm) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vcenter", vcenter);
    m.put("datacenter", vm.datacenter());
    m.put("cluster", vm.cluster());
    m.put("esxhost", vm.host());
    m.put("vm", vm.name());
    m.values().removeIf(String::isEmpty);
    return m;
  }

  static Map<String, String> hostLabels(String vcenter, Inventory.Host h) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vcenter", vcenter);
    m.put("datacenter", h.datacenter());
    m.put("cluster", h.cluster());
    m.put("esxhost", h.name());
    m.values().removeIf(String::isEmpty);
    return m;
  }

  static List<NodeDirectory.Node> nodes(Inventory inv) {
    String vc = inv.vcenter();
    List<NodeDirectory.Node> out = new ArrayList<>(inv.vms().size() + inv.hosts().size());
    for (Inventory.Host h : inv.hosts()) {
      out.add(new NodeDirectory.Node(hostId(vc, h), NodeDirectory.KIND_ESXI, h.name(), "VMware ESXi",
          h.version(), hostLabels(vc, h), "connected".equals(h.connectionState())));
    }
    for (Inventory.Vm vm : inv.vms()) {
      out.add(new NodeDirectory.Node(vmId(vc, vm), NodeDirectory.KIND_VM, vm.name(), vm.guestOs(), "",
          vmLabels(vc, vm), "poweredOn".equals(vm.powerState())));
    }
    return out;
  }

  /**
   * Clusters and datastores: the entities with 5-minute statistics; their series carry no node
   * identity (they describe no single machine), only vcenter, datacenter and cluster or datastore.
   */
  static List<PerfTarget> historicalTargets(Inventory inv) {
    String vc = inv.vcenter();
    List<PerfTarget> out = new ArrayList<>();
    for (Inventory.Cluster c : inv.clusters()) {
      out.add(new PerfTarget(new Moref("ClusterComputeResource", c.id()), MetricCatalog.Kind.CLUSTER, null,
          Labels.of("vcenter", vc, "datacenter", c.datacenter(), "cluster", c.name())));
    }
    for (Inventory.Datastore d : inv.datastores()) {
      out.add(new PerfTarget(new Moref("Datastore", d.id()), MetricCatalog.Kind.DATASTORE, null,
          Labels.of("vcenter", vc, "datacenter", d.datacenter(), "datastore", d.name())));
    }
    return out;
  }

  /** Powered-on VMs and connected hosts: the entities with realtime statistics. */
  static List<PerfTarget> targets(Inventory inv) {
    String vc = inv.vcenter();
    List<PerfTarget> out = new ArrayList<>();
    for (Inventory.Host h : inv.hosts()) {
      if ("connected".equals(h.connectionState())) {
        out.add(new PerfTarget(new Moref("HostSystem", h.id()), MetricCatalog.Kind.HOST, hostId(vc, h),
            Labels.fromMap(hostLabels(vc, h))));
      }
    }
    for (Inventory.Vm vm : inv.vms()) {
      if ("poweredOn".equals(vm.powerState())) {
        out.add(new PerfTarget(new Moref("VirtualMachine", vm.id()), MetricCatalog.Kind.VM, vmId(vc, vm),
            Labels.fromMap(vmLabels(vc, vm)), vm.important()));
      }
    }
    return out;
  }
}
