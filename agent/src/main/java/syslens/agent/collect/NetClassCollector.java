package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Part of node_exporter's {@code netclass} collector from {@code /sys/class/net}:
 * {@code node_network_up}, {@code node_network_mtu_bytes}, {@code node_network_carrier} and
 * {@code node_network_speed_bytes}. Attributes the kernel refuses (speed of a down link) are
 * skipped, as node_exporter does; a speed of -1 (unknown) becomes -125000, as in node_exporter.
 */
final class NetClassCollector implements Collector {

  private final Path classNet;

  NetClassCollector(Path sysRoot) {
    this.classNet = requireNonNull(sysRoot, "sysRoot").resolve("class/net");
  }

  @Override
  public String name() {
    return "netclass";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    List<Path> devices = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(classNet)) {
      dir.forEach(devices::add);
    }
    devices.sort(null);
    for (Path dev : devices) {
      if (!Files.isDirectory(dev)) {
        continue; // e.g. bonding_masters
      }
      String device = dev.getFileName().toString();
      String operstate = read(dev.resolve("operstate"));
      if (operstate != null) {
        sink.add("node_network_up", operstate.equals("up") ? 1 : 0, "device", device);
      }
      Long mtu = readLong(dev.resolve("mtu"));
      if (mtu != null) {
        sink.add("node_network_mtu_bytes", mtu, "device", device);
      }
      Long carrier = readLong(dev.resolve("carrier"));
      if (carrier != null) {
        sink.add("node_network_carrier", carrier, "device", device);
      }
      Long speed = readLong(dev.resolve("speed"));
      if (speed != null) { // -1 (unknown) is exported as is, like node_exporter
        sink.add("node_network_speed_bytes", speed * 1000.0 * 1000.0 / 8.0, "device", device);
      }
    }
  }

  private static String read(Path file) {
    try {
      return ProcFiles.text(file).strip();
    } catch (IOException e) {
      return null;
    }
  }

  private static Long readLong(Path file) {
    String s = read(file);
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
