package syslens.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryCodec;
import syslens.vsphere.inventory.SyntheticInventory;

class SharedInventoriesTest {
  /** The board in memory, counting writes and reads of bodies. */
  static final class MemoryBoard implements InventoryBoard {
    final Map<String, Stored> rows = new HashMap<>();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    volatile boolean down;

    @Override
    public synchronized void put(String id, String owner, byte[] encoded) {
      check();
      puts.incrementAndGet();
      Stored old = rows.get(id);
      rows.put(id, new Stored(old == null ? 1 : old.version() + 1, owner, 0, encoded));
    }

    @Override
    public synchronized Map<String, Long> versions() {
      check();
      Map<String, Long> out = new HashMap<>();
      rows.forEach((k, v) -> out.put(k, v.version()));
      return out;
    }

    @Override
    public synchronized Optional<Stored> get(String id) {
      check();
      gets.incrementAndGet();
      return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized void remove(String id) {
      rows.remove(id);
    }

    private void check() {
      if (down) {
        throw new IllegalStateException("board down");
      }
    }
  }

  private final MemoryBoard board = new MemoryBoard();
  private final SharedInventories owner = new SharedInventories(board, "a", InventoryCodec.create());
  private final SharedInventories reader = new SharedInventories(board, "b", InventoryCodec.create());

  @Test
  void publish_writesOnlyWhenTheContentChanged_readerDecodesOnlyNewVersions() {
    Inventory inv = SyntheticInventory.of("lab", 100);
    owner.publish("1", inv);
    owner.publish("1", new Inventory("lab", Instant.ofEpochMilli(9), inv.datacenters(), inv.clusters(), inv.hosts(),
        List.copyOf(inv.vms()), inv.datastores(), inv.networks())); // read again, nothing changed
    assertThat(board.puts).hasValue(1);
    assertThat(reader.read(Set.of("1"))).containsExactly(inv);
    assertThat(reader.read(Set.of("1"))).containsExactly(inv);
    assertThat(board.gets).as("decoded once while the version stayed").hasValue(1);

    Inventory changed = SyntheticInventory.of("lab", 101);
    owner.publish("1", changed);
    assertThat(board.puts).hasValue(2);
    assertThat(reader.read(Set.of("1"))).containsExactly(changed);
    assertThat(reader.read(Set.of("2"))).as("only the vCenters asked for").isEmpty();
  }

  @Test
  void publish_notReadYet_leavesThePreviousOwnersInventory() {
    owner.publish("1", SyntheticInventory.of("lab", 10));
    reader.publish("1", Inventory.empty("lab"));
    assertThat(board.puts).hasValue(1);
  }

  @Test
  void boardDown_writeTriedAgain_readShowsTheLastRead() {
    Inventory inv = SyntheticInventory.of("lab", 10);
    board.down = true;
    owner.publish("1", inv);
    assertThat(board.rows).isEmpty();
    board.down = false;
    owner.publish("1", inv);
    assertThat(board.rows).containsKey("1");
    assertThat(reader.read(Set.of("1"))).containsExactly(inv);
    board.down = true;
    assertThat(reader.read(Set.of("1"))).containsExactly(inv);
  }

  @Test
  void stopped_thenPollingAgain_writesAgain() {
    Inventory inv = SyntheticInventory.of("lab", 10);
    owner.publish("1", inv);
    reader.publish("1", SyntheticInventory.of("lab", 11)); // took over
    owner.stopped("1");
    owner.publish("1", inv); // polls it again: its inventory replaces the other's
    assertThat(board.puts).hasValue(3);
    assertThat(board.rows.get("1").owner()).isEqualTo("a");
  }

  @Test
  void read_undecodableBlob_skipsThatVcenterOnly() {
    owner.publish("1", SyntheticInventory.of("lab", 10));
    board.rows.put("2", new InventoryBoard.Stored(1, "x", 0, new byte[] {1, 2, 3}));
    assertThat(reader.read(Set.of("1", "2"))).extracting(Inventory::vcenter).containsExactly("lab");
  }
}
