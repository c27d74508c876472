package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Part of node_exporter's {@code netclass} collector from {@code /sys/class/net}:
 * {@code node_network_up}, {@code node_network_mtu_bytes}, {@code node_network_carrier} and
 * {@code node_network_speed_bytes}. Attributes the kernel refuses (speed of a down link) are
 * skipped, as node_exporter does; a speed of -1 (unknown) becomes -125000, as in node_exporter.
 *
 * <p>Each device's attribute files stay open between rounds and are read again with one pread
 * each (sysfs regenerates them). A device that is administratively down (IFF_UP clear in its
 * {@code flags}) is not asked for carrier and speed: the kernel refuses both with EINVAL, and each
 * refusal cost an exception. A device whose operstate no longer reads (removed, or removed and
 * created again under the same name) has its files opened afresh.
 */
final class NetClassCollector implements Collector {

  /** IFF_UP in /sys/class/net/DEV/flags. */
  private static final long IFF_UP = 0x1;
  private static final long NONE = Long.MIN_VALUE;

  private final File classNet;
  private final KeptFiles files = new KeptFiles(256);
  private final Map<String, Device> devices = new HashMap<>();
  private int round;
  private boolean closed;

  /** A /sys/class/net entry seen in the last round, with its attribute files. */
  private static final class Device {
    final Path dir;
    final boolean isDevice;
    FileChannel operstate;
    FileChannel flags;
    FileChannel mtu;
    FileChannel carrier;
    FileChannel speed;
    int round;

    Device(Path dir) {
      this.dir = dir;
      this.isDevice = Files.isDirectory(dir); // not e.g. bonding_masters
    }

    void open() {
      close();
      operstate = KeptFiles.open(dir.resolve("operstate"));
      flags = KeptFiles.open(dir.resolve("flags"));
      mtu = KeptFiles.open(dir.resolve("mtu"));
      carrier = KeptFiles.open(dir.resolve("carrier"));
      speed = KeptFiles.open(dir.resolve("speed"));
    }

    void close() {
      KeptFiles.close(operstate);
      KeptFiles.close(flags);
      KeptFiles.close(mtu);
      KeptFiles.close(carrier);
      KeptFiles.close(speed);
      operstate = flags = mtu = carrier = speed = null;
    }
  }

  NetClassCollector(Path sysRoot) {
    this.classNet = requireNonNull(sysRoot, "sysRoot").resolve("class/net").toFile();
  }

  @Override
  public String name() {
    return "netclass";
  }

  @Override
  public synchronized void close() {
    closed = true;
    devices.values().forEach(Device::close);
    devices.clear();
  }

  @Override
  public synchronized void collect(MetricSink sink) throws Exception {
    String[] names = classNet.list();
    if (names == null) {
      throw new IOException("cannot list " + classNet);
    }
    Arrays.sort(names);
    int round = ++this.round;
    for (String name : names) {
      Device d = devices.get(name);
      if (d == null) {
        d = new Device(classNet.toPath().resolve(name));
        if (d.isDevice) {
          d.open();
        }
        devices.put(name, d);
      }
      d.round = round;
      if (d.isDevice) {
        collect(name, d, sink);
      }
    }
    devices.values().removeIf(d -> {
      if (d.round != round || closed) {
        d.close();
        return true;
      }
      return false;
    });
  }

  private void collect(String device, Device d, MetricSink sink) {
    int n = files.read(d.operstate);
    if (n < 0) {
      d.open(); // removed, or removed and created again under this name: its files afresh
      n = files.read(d.operstate);
    }
    if (n >= 0) {
      sink.add("node_network_up", isUp(n) ? 1 : 0, "device", device);
    }
    long flags = hex(files.read(d.flags));
    boolean adminUp = flags == NONE || (flags & IFF_UP) != 0;
    long mtu = decimal(files.read(d.mtu));
    if (mtu != NONE) {
      sink.add("node_network_mtu_bytes", mtu, "device", device);
    }
    long carrier = adminUp ? decimal(files.read(d.carrier)) : NONE;
    if (carrier != NONE) {
      sink.add("node_network_carrier", carrier, "device", device);
    }
    long speed = adminUp ? decimal(files.read(d.speed)) : NONE;
    if (speed != NONE) { // -1 (unknown) is exported as is, like node_exporter
      sink.add("node_network_speed_bytes", speed * 1000.0 * 1000.0 / 8.0, "device", device);
    }
  }

  /** The operstate read is "up" (trailing whitespace ignored). */
  private boolean isUp(int n) {
    byte[] b = files.buf;
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' ')) {
      n--;
    }
    return n == 2 && b[0] == 'u' && b[1] == 'p';
  }

  private long decimal(int n) {
    return n <= 0 ? NONE : files.decimal(n, NONE);
  }

  /** A "0x1003" value, or NONE. */
  private long hex(int n) {
    byte[] b = files.buf;
    if (n < 3 || b[0] != '0' || b[1] != 'x') {
      return NONE;
    }
    long v = 0;
    int i = 2;
    for (; i < n && Character.digit(b[i], 16) >= 0; i++) {
      v = v * 16 + Character.digit(b[i], 16);
    }
    return i == 2 ? NONE : v;
  }
}
