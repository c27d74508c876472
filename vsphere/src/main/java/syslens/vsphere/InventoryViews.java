package syslens.vsphere;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import syslens.vsphere.inventory.Inventory;

/** The REST shapes of inventories: the tree and the flat, filtered, paged list. */
final class InventoryViews {
  private InventoryViews() {}

  /** vCenter -> datacenter -> cluster (or "" for standalone hosts) -> host -> VM. */
  static List<Map<String, Object>> tree(List<Inventory> inventories) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Inventory inv : inventories) {
      Map<String, Map<String, Map<String, List<Inventory.Host>>>> byDc = new TreeMap<>();
      inv.datacenters().forEach(dc -> byDc.computeIfAbsent(dc.name(), k -> new TreeMap<>()));
      inv.clusters().forEach(c -> byDc.computeIfAbsent(c.datacenter(), k -> new TreeMap<>())
          .computeIfAbsent(c.name(), k -> new TreeMap<>()));
      for (Inventory.Host h : inv.hosts()) {
        byDc.computeIfAbsent(h.datacenter(), k -> new TreeMap<>()).computeIfAbsent(h.cluster(), k -> new TreeMap<>())
            .computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h);
      }
      Map<String, List<Inventory.Vm>> vmsByHost = new TreeMap<>();
      inv.vms().forEach(vm -> vmsByHost.computeIfAbsent(vm.hostId(), k -> new ArrayList<>()).add(vm));
      List<Map<String, Object>> dcs = new ArrayList<>();
      byDc.forEach((dcName, clusters) -> {
        List<Map<String, Object>> cl = new ArrayList<>();
        clusters.forEach((clusterName, hosts) -> {
          List<Map<String, Object>> hs = new ArrayList<>();
          hosts.values().forEach(list -> list.forEach(h -> {
            List<Map<String, Object>> vms = new ArrayList<>();
            vmsByHost.getOrDefault(h.id(), List.of()).stream().sorted(Comparator.comparing(Inventory.Vm::name))
                .forEach(vm -> vms.add(node("vm", VsphereNodes.vmId(inv.vcenter(), vm), vm.name(), vm.powerState(),
                    List.of())));
            hs.add(node("esxi", VsphereNodes.hostId(inv.vcenter(), h), h.name(), h.connectionState(), vms));
          }));
          cl.add(node("cluster", clusterName, clusterName.isEmpty() ? "(standalone hosts)" : clusterName, "", hs));
        });
        dcs.add(node("datacenter", dcName, dcName, "", cl));
      });
      out.add(node("vcenter", inv.vcenter(), inv.vcenter(), "", dcs));
    }
    return out;
  }

  private static Map<String, Object> node(String kind, String id, String name, String state,
      List<Map<String, Object>> children) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("id", id);
    m.put("name", name);
    if (!state.isEmpty()) {
      m.put("state", state);
    }
    if (!kind.equals("vm")) {
      m.put("children", children);
    }
    return m;
  }

  /** One row of the flat list (a VM or an ESXi host). */
  static Map<String, Object> vmRow(String vcenter, Inventory.Vm vm) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", "vm");
    m.put("id", VsphereNodes.vmId(vcenter, vm));
    m.put("name", vm.name());
    m.put("vcenter", vcenter);
    m.put("datacenter", vm.datacenter());
    m.put("cluster", vm.cluster());
    m.put("esxhost", vm.host());
    m.put("instanceUuid", vm.instanceUuid());
    m.put("powerState", vm.powerState());
    m.put("guestOs", vm.guestOs());
    m.put("ips", vm.ips());
    m.put("vcpus", vm.vcpus());
    m.put("memoryBytes", vm.memoryBytes());
    m.put("resourcePool", vm.resourcePool());
    m.put("datastores", vm.datastores());
    m.put("networks", vm.networks());
    m.put("toolsStatus", vm.toolsStatus());
    m.put("important", vm.important());
    return m;
  }

  static Map<String, Object> hostRow(String vcenter, Inventory.Host h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", "esxi");
    m.put("id", VsphereNodes.hostId(vcenter, h));
    m.put("name", h.name());
    m.put("vcenter", vcenter);
    m.put("datacenter", h.datacenter());
    m.put("cluster", h.cluster());
    m.put("esxhost", h.name());
    m.put("connectionState", h.connectionState());
    m.put("powerState", h.powerState());
    m.put("cpuCores", h.cpuCores());
    m.put("cpuMhz", h.cpuMhz());
    m.put("memoryBytes", h.memoryBytes());
    m.put("version", h.version());
    return m;
  }

  /** Filter for the flat list; empty strings match everything. */
  record Filter(String kind, String vcenter, String datacenter, String cluster, String esxhost, String power,
      String q) {
    boolean matches(Map<String, Object> row) {
      return eq(kind, row.get("kind")) && eq(vcenter, row.get("vcenter")) && eq(datacenter, row.get("datacenter"))
          && eq(cluster, row.get("cluster")) && eq(esxhost, row.get("esxhost"))
          && (power.isEmpty() || power.equals(row.get("powerState")))
          && (q.isEmpty() || contains(row.get("name"), q) || row.getOrDefault("ips", List.of()).toString().contains(q));
    }

    private static boolean eq(String want, Object have) {
      return want.isEmpty() || want.equals(have);
    }

    private static boolean contains(Object have, String q) {
      return have != null && have.toString().toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT));
    }
  }

  /** The filtered rows sorted by (vcenter, kind, name), one page of them, and the total. */
  static Map<String, Object> list(List<Inventory> inventories, Filter f, int offset, int limit) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Inventory inv : inventories) {
      inv.hosts().forEach(h -> {
        Map<String, Object> r = hostRow(inv.vcenter(), h);
        if (f.matches(r)) {
          rows.add(r);
        }
      });
      inv.vms().forEach(vm -> {
        Map<String, Object> r = vmRow(inv.vcenter(), vm);
        if (f.matches(r)) {
          rows.add(r);
        }
      });
    }
    rows.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("vcenter"))
        .thenComparing(r -> (String) r.get("kind")).thenComparing(r -> (String) r.get("name"))
        .thenComparing(r -> (String) r.get("id")));
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("total", rows.size());
    page.put("offset", offset);
    page.put("limit", limit);
    page.put("items", rows.subList(Math.min(offset, rows.size()), Math.min(rows.size(), offset + limit)));
    return page;
  }
}
