package syslens.vsphere.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * An {@link Inventory} as bytes, to share it between server instances (table {@code
 * vcenter_inventory}): gzip-compressed JSON {@code {"format":1,"vcenter":...,"collectedAtMs":...,
 * "datacenters":[...],"clusters":[...],"hosts":[...],"vms":[...],"datastores":[...],"networks":[...]}}
 * whose list elements are the {@link Inventory} records' fields by name. Bounded both ways: an
 * encoding over {@link #MAX_COMPRESSED} bytes is refused, and decoding refuses a blob over that
 * or one that expands past {@link #MAX_EXPANDED} bytes (a damaged or hostile row costs that
 * vCenter's shared inventory, never the reader's memory).
 */
public final class InventoryCodec {
  /** Format written in every blob; a reader refuses another. */
  public static final int FORMAT = 1;
  /** 16 MiB: a 10,000-VM inventory takes about 0.3 MiB (docs/vsphere.md). */
  public static final int MAX_COMPRESSED = 16 << 20;
  /** 256 MiB of JSON. */
  public static final long MAX_EXPANDED = 256L << 20;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final int maxCompressed;
  private final long maxExpanded;

  private InventoryCodec(int maxCompressed, long maxExpanded) {
    if (maxCompressed < 1) {
      throw new IllegalArgumentException("maxCompressed: " + maxCompressed + " (expected: > 0)");
    }
    if (maxExpanded < 1) {
      throw new IllegalArgumentException("maxExpanded: " + maxExpanded + " (expected: > 0)");
    }
    this.maxCompressed = maxCompressed;
    this.maxExpanded = maxExpanded;
  }

  /** The codec with the default bounds ({@link #MAX_COMPRESSED}, {@link #MAX_EXPANDED}). */
  public static InventoryCodec create() {
    return new InventoryCodec(MAX_COMPRESSED, MAX_EXPANDED);
  }

  /** A codec with other bounds (tests). */
  public static InventoryCodec withLimits(int maxCompressed, long maxExpanded) {
    return new InventoryCodec(maxCompressed, maxExpanded);
  }

  /** The stored shape: the inventory with its time in epoch milliseconds and a format number. */
  record Stored(int format, String vcenter, long collectedAtMs, List<Inventory.Datacenter> datacenters,
      List<Inventory.Cluster> clusters, List<Inventory.Host> hosts, List<Inventory.Vm> vms,
      List<Inventory.Datastore> datastores, List<Inventory.Network> networks) {}

  /**
   * Encodes {@code inv}.
   *
   * @throws IllegalArgumentException when the compressed form exceeds the bound (it is not kept)
   */
  public byte[] encode(Inventory inv) {
    Bounded out = new Bounded(maxCompressed, inv.vcenter());
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 << 10)) {
      JSON.writeValue(gz, new Stored(FORMAT, inv.vcenter(), inv.collectedAt().toEpochMilli(), inv.datacenters(),
          inv.clusters(), inv.hosts(), inv.vms(), inv.datastores(), inv.networks()));
    } catch (IOException e) {
      TooLarge t = tooLarge(e);
      if (t != null) {
        throw new IllegalArgumentException(t.getMessage(), t);
      }
      throw new UncheckedIOException("encoding the inventory of vCenter " + inv.vcenter() + " failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes what {@link #encode} wrote.
   *
   * @throws IllegalArgumentException when {@code blob} is over the compressed bound, expands past
   *     the expanded bound, is not gzip-compressed JSON of this format, or misses the vCenter name
   */
  public Inventory decode(byte[] blob) {
    if (blob.length > maxCompressed) {
      throw new IllegalArgumentException("inventory blob: " + blob.length + " bytes (expected: at most "
          + maxCompressed + " compressed)");
    }
    Stored s;
    try (InputStream in = BoundedInputStream.builder()
        .setInputStream(new GZIPInputStream(new ByteArrayInputStream(blob), 64 << 10))
        .setMaxCount(maxExpanded + 1)
        .setOnMaxCount((limit, count) -> {
          throw new TooLarge("inventory blob expands past " + maxExpanded + " bytes (expected: at most "
              + maxExpanded + ")");
        }).get()) {
      s = JSON.readValue(in, Stored.class);
    } catch (IOException e) {
      TooLarge t = tooLarge(e);
      if (t != null) {
        throw new IllegalArgumentException(t.getMessage(), t);
      }
      throw new IllegalArgumentException("inventory blob of " + blob.length + " bytes cannot be read (expected: "
          + "gzip-compressed inventory JSON): " + e.getMessage(), e);
    }
    if (s == null || s.format() != FORMAT) {
      throw new IllegalArgumentException("inventory blob format: " + (s == null ? "none" : s.format())
          + " (expected: " + FORMAT + ")");
    }
    if (s.vcenter() == null) {
      throw new IllegalArgumentException("inventory blob without a vcenter (expected: the vCenter's name)");
    }
    return new Inventory(s.vcenter(), Instant.ofEpochMilli(s.collectedAtMs()), list(s.datacenters()),
        list(s.clusters()), list(s.hosts()), list(s.vms()), list(s.datastores()), list(s.networks()));
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  /** The bound crossed, if that is what {@code e} (or what it wraps) says. */
  private static TooLarge tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLarge tl) {
        return tl;
      }
    }
    return null;
  }

  /** A bound was crossed; its message names the bound. */
  private static final class TooLarge extends IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  /** The compressed bytes, refused past the bound. */
  private static final class Bounded extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64 << 10);
    private final int max;
    private final String vcenter;

    Bounded(int max, String vcenter) {
      this.max = max;
      this.vcenter = vcenter;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if ((long) buf.size() + len > max) {
        throw new TooLarge("inventory of vCenter " + vcenter + ": over " + max + " bytes compressed (expected: at most "
            + max + "; it is not shared with the other instances)");
      }
      buf.write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    byte[] toByteArray() {
      return buf.toByteArray();
    }
  }
}
