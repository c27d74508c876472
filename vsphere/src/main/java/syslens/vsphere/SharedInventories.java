package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryCodec;

/**
 * The inventories of vCenters polled here, left on an {@link InventoryBoard} when they change
 * (not every cycle), and those polled by other instances, read back from it: a vCenter's blob is
 * decoded only when its version moved, so a tree request costs one small query while nothing
 * changed. A board that cannot be reached leaves the last inventories read (logged), a blob that
 * cannot be decoded costs that vCenter's shared inventory only.
 */
final class SharedInventories {
  private static final Logger log = LoggerFactory.getLogger(SharedInventories.class);

  private final InventoryBoard board;
  private final String instance;
  private final InventoryCodec codec;
  /** What was last stored per vCenter polled here (to write only changes). */
  private final Map<String, Inventory> written = new ConcurrentHashMap<>();
  /** Decoded inventories of the board, per vCenter id, with the version they were decoded at. */
  private final Map<String, Decoded> read = new ConcurrentHashMap<>();

  private record Decoded(long version, Inventory inventory) {}

  SharedInventories(InventoryBoard board, String instance, InventoryCodec codec) {
    this.board = requireNonNull(board, "board");
    this.instance = requireNonNull(instance, "instance");
    this.codec = requireNonNull(codec, "codec");
  }

  /** Stores {@code inv} of a vCenter polled here unless it equals what was stored last. */
  void publish(String vcenterId, Inventory inv) {
    Inventory last = written.get(vcenterId);
    if (last != null && sameContent(last, inv)) {
      return;
    }
    if (VsphereService.notReadYet(inv)) {
      return; // not read yet: an older owner's inventory stays shown until this one has its own
    }
    try {
      board.put(vcenterId, instance, codec.encode(inv));
      written.put(vcenterId, inv);
    } catch (RuntimeException e) { // tried again after the next cycle
      log.warn("vCenter {}: sharing its inventory failed: {}", inv.vcenter(), e.toString());
    }
  }

  /** Collection stopped here: the next owner writes, and this instance again if it polls it later. */
  void stopped(String vcenterId) {
    written.remove(vcenterId);
  }

  void remove(String vcenterId) {
    written.remove(vcenterId);
    read.remove(vcenterId);
    try {
      board.remove(vcenterId);
    } catch (RuntimeException e) {
      log.warn("vCenter {}: removing its shared inventory failed: {}", vcenterId, e.toString());
    }
  }

  /** The board's inventories of the vCenters in {@code ids} (those polled elsewhere). */
  synchronized List<Inventory> read(Set<String> ids) {
    List<Inventory> out = new ArrayList<>();
    if (ids.isEmpty()) {
      return out;
    }
    Map<String, Long> versions;
    try {
      versions = board.versions();
    } catch (RuntimeException e) {
      log.warn("reading the shared vSphere inventories failed, showing the last read: {}", e.toString());
      ids.forEach(id -> Optional.ofNullable(read.get(id)).filter(d -> d.inventory != null)
          .ifPresent(d -> out.add(d.inventory)));
      return out;
    }
    read.keySet().retainAll(versions.keySet());
    for (String id : ids) {
      Long v = versions.get(id);
      if (v == null) {
        continue;
      }
      Decoded d = read.get(id);
      if (d == null || d.version != v) {
        d = load(id, d);
      }
      if (d != null && d.inventory != null) {
        out.add(d.inventory);
      }
    }
    return out;
  }

  private Decoded load(String id, Decoded old) {
    Optional<InventoryBoard.Stored> s;
    try {
      s = board.get(id);
    } catch (RuntimeException e) {
      log.warn("vCenter {}: reading its shared inventory failed: {}", id, e.toString());
      return old;
    }
    if (s.isEmpty()) {
      read.remove(id);
      return null;
    }
    Decoded d;
    try {
      d = new Decoded(s.get().version(), codec.decode(s.get().encoded()));
    } catch (IllegalArgumentException e) { // not tried again until a new version is written
      log.error("vCenter {}: its shared inventory (version {}, by {}) cannot be read: {}", id, s.get().version(),
          s.get().owner(), e.getMessage());
      d = new Decoded(s.get().version(), null);
    }
    read.put(id, d);
    return d;
  }

  /** Equal but for when it was read. */
  static boolean sameContent(Inventory a, Inventory b) {
    return a.vcenter().equals(b.vcenter()) && same(a.vms(), b.vms()) && same(a.hosts(), b.hosts())
        && same(a.clusters(), b.clusters()) && same(a.datacenters(), b.datacenters())
        && same(a.datastores(), b.datastores()) && same(a.networks(), b.networks());
  }

  private static boolean same(List<?> a, List<?> b) {
    return a == b || a.equals(b);
  }
}
