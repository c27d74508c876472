package syslens.vsphere.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import syslens.vsphere.VsphereNodes;
import syslens.vsphere.inventory.Inventory;

/**
 * A VM as guest collection sees it: its node id from the inventory (the identity its guest series
 * carry), name, addresses and the labels selectors match ({@code vcenter}, {@code datacenter},
 * {@code cluster}, {@code esxhost}, {@code vm}).
 */
public record GuestVm(String nodeId, String name, String vcenter, List<String> ips, Map<String, String> labels,
    boolean poweredOn) {
  public GuestVm {
    ips = List.copyOf(ips);
    labels = Map.copyOf(labels);
  }

  /** Every VM of these inventories. */
  public static List<GuestVm> of(List<Inventory> inventories) {
    List<GuestVm> out = new ArrayList<>();
    for (Inventory inv : inventories) {
      for (Inventory.Vm vm : inv.vms()) {
        out.add(new GuestVm(VsphereNodes.vmId(inv.vcenter(), vm), vm.name(), inv.vcenter(), vm.ips(),
            VsphereNodes.vmLabels(inv.vcenter(), vm), "poweredOn".equals(vm.powerState())));
      }
    }
    return out;
  }
}
