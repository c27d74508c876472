package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;

/**
 * node_exporter's {@code sockstat} collector: {@code /proc/net/sockstat} and {@code sockstat6} as
 * {@code node_sockstat_<PROTO>_<field>}, {@code mem} also in bytes ({@code _mem_bytes}, pages
 * times the page size), and {@code node_sockstat_sockets_used}.
 */
final class SockStatCollector implements Collector {

  private final Path sockstat;
  private final Path sockstat6;
  private final long pageSize;

  SockStatCollector(Path procRoot, long pageSize) {
    Path net = requireNonNull(procRoot, "procRoot").resolve("net");
    this.sockstat = net.resolve("sockstat");
    this.sockstat6 = net.resolve("sockstat6");
    this.pageSize = pageSize;
  }

  @Override
  public String name() {
    return "sockstat";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    read(sockstat, sink);
    try {
      read(sockstat6, sink);
    } catch (IOException e) {
      // no IPv6: node_exporter reports the IPv4 part only
    }
  }

  private void read(Path file, MetricSink sink) throws IOException {
    for (String line : ProcFiles.lines(file)) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 3 || !f[0].endsWith(":")) {
        continue;
      }
      String proto = f[0].substring(0, f[0].length() - 1);
      if (proto.equals("sockets")) {
        if (f[1].equals("used")) {
          sink.add("node_sockstat_sockets_used", Double.parseDouble(f[2]));
        }
        continue;
      }
      for (int i = 1; i + 1 < f.length; i += 2) {
        double v = Double.parseDouble(f[i + 1]);
        sink.add("node_sockstat_" + proto + "_" + f[i], v);
        if (f[i].equals("mem")) {
          sink.add("node_sockstat_" + proto + "_mem_bytes", v * pageSize);
        }
      }
    }
  }
}
