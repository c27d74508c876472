package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.security.PostgresServer;
import syslens.server.meta.MetaStore;
import syslens.vsphere.InventoryBoard;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryCodec;
import syslens.vsphere.inventory.SyntheticInventory;

/** {@code vcenter_inventory} (V13) on a real PostgreSQL 15, and on the embedded H2 schema. */
class VcenterInventoryBoardTest {
  @TempDir Path dir;

  /**
   * A 10,000-VM inventory written by one board and read by another, as two instances do: sizes
   * and times printed (docs/vsphere.md quotes them).
   */
  @Test
  void putAndGet_tenThousandVmsOnPostgres_roundTripWithVersions() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql)").isTrue();
    try (PostgresServer pg = PostgresServer.start();
        MetaStore meta = MetaStore.openPostgres("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "syslens",
            null)) {
      InventoryBoard writer = new VsphereWiring.Inventories(meta.dataSource(), Clock.systemUTC());
      InventoryBoard reader = new VsphereWiring.Inventories(meta.dataSource(), Clock.systemUTC());
      InventoryCodec codec = InventoryCodec.create();
      List<Long> encodes = new ArrayList<>();
      List<Long> writes = new ArrayList<>();
      List<Long> reads = new ArrayList<>();
      List<Long> decodes = new ArrayList<>();
      int bytes = 0;
      for (int round = 0; round < 6; round++) {
        Inventory inv = SyntheticInventory.of("lab", 10_000 + round); // a change every round
        long t = System.nanoTime();
        byte[] blob = codec.encode(inv);
        long t2 = System.nanoTime();
        writer.put("vc-1", "instance-a", blob);
        encodes.add(t2 - t);
        writes.add(System.nanoTime() - t2);
        bytes = blob.length;
        t = System.nanoTime();
        long version = reader.versions().get("vc-1");
        InventoryBoard.Stored s = reader.get("vc-1").orElseThrow();
        t2 = System.nanoTime();
        Inventory back = codec.decode(s.encoded());
        reads.add(t2 - t);
        decodes.add(System.nanoTime() - t2);
        assertThat(version).isEqualTo(round + 1);
        assertThat(s.version()).isEqualTo(round + 1);
        assertThat(s.owner()).isEqualTo("instance-a");
        assertThat(back).isEqualTo(inv);
      }
      long stored;
      try (Connection c = meta.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
          "SELECT octet_length(body), pg_total_relation_size('vcenter_inventory') FROM vcenter_inventory");
          ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(bytes);
        stored = rs.getLong(2);
      }
      System.out.printf("VcenterInventoryBoardTest: 10,000 VMs: %d bytes compressed (table with TOAST %d bytes "
          + "after 6 versions); medians of 6: encode %d ms, write %d ms, read (versions + row) %d ms, decode %d ms; "
          + "first round %d / %d / %d / %d ms%n", bytes, stored, median(encodes), median(writes), median(reads),
          median(decodes), encodes.get(0) / 1_000_000, writes.get(0) / 1_000_000, reads.get(0) / 1_000_000,
          decodes.get(0) / 1_000_000);
      assertThat(bytes).isLessThan(InventoryCodec.MAX_COMPRESSED / 16);

      writer.remove("vc-1");
      assertThat(reader.versions()).isEmpty();
      assertThat(reader.get("vc-1")).isEmpty();
    }
  }

  @Test
  void putAndGet_onTheEmbeddedH2Schema() {
    try (MetaStore meta = MetaStore.openH2(dir)) {
      InventoryBoard board = new VsphereWiring.Inventories(meta.dataSource(), Clock.systemUTC());
      InventoryCodec codec = InventoryCodec.create();
      Inventory inv = SyntheticInventory.of("lab", 50);
      board.put("vc-1", "a", codec.encode(inv));
      board.put("vc-1", "b", codec.encode(inv));
      assertThat(board.versions()).containsEntry("vc-1", 2L);
      assertThat(codec.decode(board.get("vc-1").orElseThrow().encoded())).isEqualTo(inv);
      assertThat(board.get("vc-1").orElseThrow().owner()).isEqualTo("b");
    }
  }

  private static long median(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2) / 1_000_000;
  }
}
