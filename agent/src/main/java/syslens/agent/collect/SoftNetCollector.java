package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter 1.5's {@code softnet} collector: per CPU (line number of {@code
 * /proc/net/softnet_stat}, hexadecimal columns) packets processed, dropped and times squeezed.
 */
final class SoftNetCollector implements Collector {

  private final Path file;

  SoftNetCollector(Path procRoot) {
    this.file = requireNonNull(procRoot, "procRoot").resolve("net/softnet_stat");
  }

  @Override
  public String name() {
    return "softnet";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    int cpu = 0;
    for (String line : ProcFiles.lines(file)) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 3) {
        continue;
      }
      String c = Integer.toString(cpu++);
      sink.add("node_softnet_processed_total", Long.parseUnsignedLong(f[0], 16), "cpu", c);
      sink.add("node_softnet_dropped_total", Long.parseUnsignedLong(f[1], 16), "cpu", c);
      sink.add("node_softnet_times_squeezed_total", Long.parseUnsignedLong(f[2], 16), "cpu", c);
    }
  }
}
