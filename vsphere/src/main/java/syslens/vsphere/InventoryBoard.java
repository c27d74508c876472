package syslens.vsphere;

import java.util.Map;
import java.util.Optional;

/**
 * Where the instance polling a vCenter leaves its inventory for the others (several instances
 * share one metadata database): one encoded inventory ({@link
 * syslens.vsphere.inventory.InventoryCodec}) per vCenter, written when it changed, with a version
 * the store raises on every write so readers decode a vCenter's inventory only when it changed.
 */
public interface InventoryBoard {
  /** Stores the encoded inventory of a vCenter polled by {@code owner}, replacing the previous one. */
  void put(String vcenterId, String owner, byte[] encoded);

  /** Every stored vCenter's current version (cheap: no inventories read). */
  Map<String, Long> versions();

  /** The stored inventory of a vCenter, if any. */
  Optional<Stored> get(String vcenterId);

  /** Forgets a deleted vCenter's inventory. */
  void remove(String vcenterId);

  /** One stored inventory: its version, the instance that wrote it, when, and its bytes. */
  record Stored(long version, String owner, long updatedAtMs, byte[] encoded) {}
}
