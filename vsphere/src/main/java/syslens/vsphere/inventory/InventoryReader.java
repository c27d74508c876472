package syslens.vsphere.inventory;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.vsphere.client.Moref;
import syslens.vsphere.client.ObjectContent;
import syslens.vsphere.client.PropertySpec;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.Xml;

/**
 * Reads a vCenter's inventory in one pass: a recursive ContainerView over the root folder and
 * one PropertyCollector retrieval (paged) of the few properties SysLens shows, then resolves
 * parents (folder chains) to datacenter and cluster names.
 */
public final class InventoryReader {
  /**
   * The vCenter custom attribute that marks a VM important: its realtime statistics are asked for
   * before the others' in every cycle. Any value but empty, "false", "no" or "0" counts.
   */
  public static final String IMPORTANT_FIELD = "syslens.important";

  static final Map<String, List<String>> PROPERTIES = Map.of(
      "Folder", List.of("name", "parent"),
      "Datacenter", List.of("name", "parent"),
      "ComputeResource", List.of("name", "parent"),
      "ResourcePool", List.of("name", "parent"),
      "HostSystem", List.of("name", "parent", "summary.hardware.uuid", "runtime.connectionState",
          "runtime.powerState", "summary.hardware.numCpuCores", "summary.hardware.cpuMhz",
          "summary.hardware.memorySize", "summary.config.product.version"),
      "VirtualMachine", List.of("name", "config.instanceUuid", "runtime.powerState", "config.guestFullName",
          "guest.net", "guest.ipAddress", "config.hardware.numCPU", "config.hardware.memoryMB", "runtime.host",
          "resourcePool", "datastore", "network", "guest.toolsRunningStatus", "customValue"),
      "Datastore", List.of("name", "parent", "summary.type", "summary.capacity", "summary.freeSpace"),
      "Network", List.of("name", "parent"));

  private final Clock clock;
  private final int pageSize;

  public InventoryReader(Clock clock, int pageSize) {
    this.clock = requireNonNull(clock, "clock");
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: > 0)");
    }
    this.pageSize = pageSize;
  }

  public Inventory read(VimClient client, String vcenter) {
    Moref view = client.createContainerView(client.serviceContent().rootFolder(),
        List.copyOf(PROPERTIES.keySet()), true);
    List<ObjectContent> objects;
    try {
      objects = client.retrieveAll(PropertySpec.containerView(view, PROPERTIES), pageSize);
    } finally {
      client.destroyView(view);
    }
    return assemble(vcenter, objects, client.customFieldKey(IMPORTANT_FIELD).orElse(-1));
  }

  /** @param importantKey the key of {@link #IMPORTANT_FIELD}, or -1 when vCenter has no such attribute */
  /** The same inventory, collected now (nothing changed since it was assembled). */
  Inventory restamp(Inventory inv) {
    return new Inventory(inv.vcenter(), clock.instant(), inv.datacenters(), inv.clusters(), inv.hosts(), inv.vms(),
        inv.datastores(), inv.networks());
  }

  Inventory assemble(String vcenter, List<ObjectContent> objects, int importantKey) {
    Map<Moref, ObjectContent> byRef = new HashMap<>(objects.size() * 2);
    objects.forEach(o -> byRef.put(o.obj(), o));
    Parents parents = new Parents(byRef);

    List<Inventory.Datacenter> dcs = new ArrayList<>();
    List<Inventory.Cluster> clusters = new ArrayList<>();
    List<Inventory.Host> hosts = new ArrayList<>();
    List<Inventory.Vm> vms = new ArrayList<>();
    List<Inventory.Datastore> datastores = new ArrayList<>();
    List<Inventory.Network> networks = new ArrayList<>();
    Map<Moref, Inventory.Host> hostByRef = new HashMap<>();
    for (ObjectContent o : objects) {
      if (o.obj().type().equals("HostSystem")) {
        Moref parent = o.ref("parent");
        String cluster = parent != null && parent.type().equals("ClusterComputeResource")
            ? parents.name(parent) : "";
        Inventory.Host h = new Inventory.Host(o.obj().value(), o.text("name"), o.text("summary.hardware.uuid"),
            parents.datacenter(o.obj()), cluster, o.text("runtime.connectionState"), o.text("runtime.powerState"),
            (int) o.number("summary.hardware.numCpuCores", 0), o.number("summary.hardware.cpuMhz", 0),
            o.number("summary.hardware.memorySize", 0), o.text("summary.config.product.version"));
        hosts.add(h);
        hostByRef.put(o.obj(), h);
      }
    }
    for (ObjectContent o : objects) {
      String type = o.obj().type();
      switch (type) {
        case "Datacenter" -> dcs.add(new Inventory.Datacenter(o.obj().value(), o.text("name")));
        case "ClusterComputeResource" -> clusters.add(
            new Inventory.Cluster(o.obj().value(), o.text("name"), parents.datacenter(o.obj())));
        case "Datastore" -> datastores.add(new Inventory.Datastore(o.obj().value(), o.text("name"),
            parents.datacenter(o.obj()), o.text("summary.type"), o.number("summary.capacity", 0),
            o.number("summary.freeSpace", 0)));
        case "Network", "DistributedVirtualPortgroup", "OpaqueNetwork" -> networks.add(
            new Inventory.Network(o.obj().value(), o.text("name"), parents.datacenter(o.obj())));
        case "VirtualMachine" -> vms.add(vm(o, hostByRef, byRef, parents, importantKey));
        default -> { }
      }
    }
    return new Inventory(vcenter, clock.instant(), List.copyOf(dcs), List.copyOf(clusters), List.copyOf(hosts),
        List.copyOf(vms), List.copyOf(datastores), List.copyOf(networks));
  }

  private static Inventory.Vm vm(ObjectContent o, Map<Moref, Inventory.Host> hostByRef,
      Map<Moref, ObjectContent> byRef, Parents parents, int importantKey) {
    Moref hostRef = o.ref("runtime.host");
    Inventory.Host host = hostRef == null ? null : hostByRef.get(hostRef);
    Moref pool = o.ref("resourcePool");
    List<String> datastores = new ArrayList<>();
    o.refs("datastore").forEach(r -> datastores.add(parents.name(r)));
    List<String> networks = new ArrayList<>();
    o.refs("network").forEach(r -> networks.add(parents.name(r)));
    String dc = host != null ? host.datacenter() : parents.datacenter(o.obj());
    return new Inventory.Vm(o.obj().value(), o.text("name"), o.text("config.instanceUuid"),
        o.text("runtime.powerState"), o.text("config.guestFullName"), ips(o),
        (int) o.number("config.hardware.numCPU", 0), o.number("config.hardware.memoryMB", 0) * 1024 * 1024,
        host == null ? "" : host.id(), host == null ? "" : host.name(), host == null ? "" : host.cluster(),
        dc, pool == null || !byRef.containsKey(pool) ? "" : parents.name(pool),
        List.copyOf(datastores), List.copyOf(networks), o.text("guest.toolsRunningStatus"),
        important(o.value("customValue"), importantKey));
  }

  /** Whether the VM's customValue array sets the important attribute to a true-ish value. */
  static boolean important(Xml customValues, int key) {
    if (customValues == null || key < 0) {
      return false;
    }
    String k = Integer.toString(key);
    for (Xml v : customValues.children()) {
      if (k.equals(v.childText("key").trim())) {
        String value = v.childText("value").trim().toLowerCase(java.util.Locale.ROOT);
        return !(value.isEmpty() || value.equals("false") || value.equals("no") || value.equals("0"));
      }
    }
    return false;
  }

  /** Every guest IP (guest.net[].ipAddress), the primary (guest.ipAddress) first. */
  private static List<String> ips(ObjectContent o) {
    Set<String> ips = new LinkedHashSet<>();
    if (!o.text("guest.ipAddress").isEmpty()) {
      ips.add(o.text("guest.ipAddress"));
    }
    Xml net = o.value("guest.net");
    if (net != null) {
      for (Xml nic : net.children()) {
        nic.all("ipAddress").forEach(ip -> {
          if (!ip.text().isEmpty()) {
            ips.add(ip.text());
          }
        });
      }
    }
    return List.copyOf(ips);
  }

  /** Parent chains through folders. */
  private static final class Parents {
    private final Map<Moref, ObjectContent> byRef;
    private final Map<Moref, String> dcCache = new HashMap<>();

    Parents(Map<Moref, ObjectContent> byRef) {
      this.byRef = byRef;
    }

    String name(Moref ref) {
      ObjectContent o = byRef.get(ref);
      return o == null ? ref.value() : o.text("name");
    }

    /** The name of the datacenter above {@code ref}, or "" when there is none. */
    String datacenter(Moref ref) {
      String cached = dcCache.get(ref);
      if (cached != null) {
        return cached;
      }
      String dc = "";
      Moref cur = ref;
      for (int depth = 0; cur != null && depth < 64; depth++) {
        if (cur.type().equals("Datacenter")) {
          dc = name(cur);
          break;
        }
        ObjectContent o = byRef.get(cur);
        cur = o == null ? null : o.ref("parent");
      }
      dcCache.put(ref, dc);
      return dc;
    }
  }
}
