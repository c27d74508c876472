package syslens.vsphere.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class InventoryCodecTest {
  private final InventoryCodec codec = InventoryCodec.create();

  @Test
  void decode_ofEncode_givesTheSameInventory() {
    for (int vms : new int[] {0, 1, 41, 2_000}) {
      Inventory inv = SyntheticInventory.of("lab", vms);
      assertThat(codec.decode(codec.encode(inv))).as("%d VMs", vms).isEqualTo(inv);
    }
  }

  @Test
  void decode_ofEncode_emptyAndOddValues() {
    Inventory empty = Inventory.empty("vc \"1\" ü");
    assertThat(codec.decode(codec.encode(empty))).isEqualTo(empty);
    Inventory odd = new Inventory("vc", Instant.ofEpochMilli(5), List.of(new Inventory.Datacenter("d", "DC,\\ \n")),
        List.of(), List.of(), List.of(new Inventory.Vm("vm-1", "n", "", "poweredOn", "", List.of(), 0, 0, "", "", "",
            "", "", List.of(), List.of(), "", true)), List.of(), List.of());
    assertThat(codec.decode(codec.encode(odd))).isEqualTo(odd);
  }

  @Test
  void encode_overTheCompressedBound_refusedNamingTheBound() {
    InventoryCodec small = InventoryCodec.withLimits(1_000, InventoryCodec.MAX_EXPANDED);
    assertThatThrownBy(() -> small.encode(SyntheticInventory.of("big", 500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inventory of vCenter big").hasMessageContaining("at most 1000");
  }

  @Test
  void decode_blobOverSixteenMib_refusedBeforeReading() {
    byte[] blob = new byte[InventoryCodec.MAX_COMPRESSED + 1];
    assertThatThrownBy(() -> codec.decode(blob)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(blob.length + " bytes").hasMessageContaining("at most 16777216");
  }

  @Test
  void decode_expandingPastTheBound_refused() throws Exception {
    // Valid JSON (whitespace between tokens) expanding to 12 MiB from a few KiB; bound 8 MiB (the
    // default 256 MiB bound works the same way, at 20 times the test time).
    assertThat(InventoryCodec.MAX_EXPANDED).isEqualTo(256L << 20);
    InventoryCodec codec = InventoryCodec.withLimits(InventoryCodec.MAX_COMPRESSED, 8L << 20);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write("{\"format\":1,\"vcenter\":\"bomb\",".getBytes(StandardCharsets.US_ASCII));
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 12; i++) {
        gz.write(spaces);
      }
      gz.write("\"vms\":[]}".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] bomb = out.toByteArray();
    assertThat(bomb.length).isLessThan(InventoryCodec.MAX_COMPRESSED);
    assertThatThrownBy(() -> codec.decode(bomb)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expands past 8388608 bytes");
    // The same shape under the bound reads.
    assertThat(InventoryCodec.withLimits(InventoryCodec.MAX_COMPRESSED, 16L << 20).decode(bomb).vcenter())
        .isEqualTo("bomb");
  }

  @Test
  void decode_notGzipOrOtherFormat_refused() throws Exception {
    assertThatThrownBy(() -> codec.decode("{}".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be read");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write("{\"format\":2,\"vcenter\":\"x\"}".getBytes(StandardCharsets.US_ASCII));
    }
    assertThatThrownBy(() -> codec.decode(out.toByteArray())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format: 2 (expected: 1)");
  }

  /** Size and time at 10,000 VMs (printed; the PostgreSQL board test measures the round trip). */
  @Test
  void encode_tenThousandVms_underHalfAMebibyte() {
    Inventory inv = SyntheticInventory.of("lab", 10_000);
    byte[] blob = codec.encode(inv);
    long t = System.nanoTime();
    blob = codec.encode(inv);
    long enc = System.nanoTime() - t;
    t = System.nanoTime();
    Inventory back = codec.decode(blob);
    long dec = System.nanoTime() - t;
    assertThat(back).isEqualTo(inv);
    System.out.printf("InventoryCodecTest: 10,000 VMs: %d bytes, encode %d ms, decode %d ms%n", blob.length,
        enc / 1_000_000, dec / 1_000_000);
    assertThat(blob.length).isLessThan(512 << 10);
  }
}
