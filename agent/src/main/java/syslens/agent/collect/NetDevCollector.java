package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter's {@code netdev} collector over {@code /proc/net/dev}: every device but the
 * loopback, which node_exporter 1.5 (netlink mode, its default) leaves out too.
 */
final class NetDevCollector implements Collector {

  private static final String[] RECEIVE = {
    "bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"};
  private static final String[] TRANSMIT = {
    "bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"};

  private final Path netDev;

  NetDevCollector(Path procRoot) {
    this.netDev = requireNonNull(procRoot, "procRoot").resolve("net/dev");
  }

  @Override
  public String name() {
    return "netdev";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(netDev)) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.contains("|")) {
        continue; // the two header lines
      }
      String device = line.substring(0, colon).strip();
      if (device.equals("lo")) {
        continue;
      }
      String[] f = ProcFiles.fields(line.substring(colon + 1));
      if (f.length < 16) {
        continue;
      }
      for (int i = 0; i < 8; i++) {
        sink.add("node_network_receive_" + RECEIVE[i] + "_total", Double.parseDouble(f[i]),
            "device", device);
      }
      for (int i = 0; i < 8; i++) {
        sink.add("node_network_transmit_" + TRANSMIT[i] + "_total", Double.parseDouble(f[8 + i]),
            "device", device);
      }
    }
  }
}
