package syslens.vsphere.inventory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A made-up inventory of realistic shape and size (codec and board tests, the server's too). */
public final class SyntheticInventory {
  private SyntheticInventory() {}

  /** {@code vms} VMs over hosts of 40 VMs each, clusters of 16 hosts, one datacenter per 8 clusters. */
  public static Inventory of(String vcenter, int vms) {
    List<Inventory.Datacenter> dcs = new ArrayList<>();
    List<Inventory.Cluster> clusters = new ArrayList<>();
    List<Inventory.Host> hosts = new ArrayList<>();
    List<Inventory.Vm> out = new ArrayList<>();
    List<Inventory.Datastore> datastores = new ArrayList<>();
    List<Inventory.Network> networks = new ArrayList<>();
    int hostCount = Math.max(1, (vms + 39) / 40);
    for (int h = 0; h < hostCount; h++) {
      int c = h / 16;
      int d = c / 8;
      String dc = "DC" + d;
      if (c * 16 == h) {
        if (d * 8 == c) {
          dcs.add(new Inventory.Datacenter("datacenter-" + (d + 1), dc));
          networks.add(new Inventory.Network("network-" + d, "VM Network " + d, dc));
          for (int s = 0; s < 4; s++) {
            datastores.add(new Inventory.Datastore("datastore-" + (d * 4 + s), "ds-" + d + "-" + s, dc, "VMFS",
                8L << 40, (3L << 40) + s * 1_000_000L));
          }
        }
        clusters.add(new Inventory.Cluster("domain-c" + (c + 7), "cluster-" + c, dc));
      }
      hosts.add(new Inventory.Host("host-" + (h + 20), "esx-" + h + ".lab.example.com",
          "4c4c4544-0042-3610-8051-" + String.format("%012d", h), dc, "cluster-" + c, "connected", "poweredOn", 48,
          2_600L, 768L << 30, "VMware ESXi 8.0.2 build-22380479"));
    }
    for (int i = 0; i < vms; i++) {
      Inventory.Host h = hosts.get(i / 40);
      int d = (i / 40) / 128;
      out.add(new Inventory.Vm("vm-" + (1000 + i), "app-" + i + ".prod", String.format(
          "5003a1b2-%04x-%04x-%04x-%012x", i & 0xffff, (i * 7) & 0xffff, (i * 13) & 0xffff, i * 104_729L),
          i % 10 == 0 ? "poweredOff" : "poweredOn", i % 3 == 0 ? "windows2019srv_64Guest" : "rhel8_64Guest",
          List.of("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)), 2 + i % 7, (4L + i % 29) << 30,
          h.id(), h.name(), h.cluster(), h.datacenter(), "Resources", List.of("ds-" + d + "-" + (i % 4)),
          List.of("VM Network " + d), i % 10 == 0 ? "toolsNotRunning" : "toolsOk", i % 50 == 0));
    }
    return new Inventory(vcenter, Instant.ofEpochMilli(1_764_000_000_123L), dcs, clusters, hosts, out, datastores,
        networks);
  }
}
