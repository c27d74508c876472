package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter 1.5's {@code pressure} collector (PSI, {@code /proc/pressure}): the {@code some}
 * total as {@code _waiting_seconds_total}, the {@code full} total as {@code _stalled_seconds_total}
 * (io and memory only, as 1.5 does), in seconds.
 */
final class PressureCollector implements Collector {

  private final Path dir;

  PressureCollector(Path procRoot) {
    this.dir = requireNonNull(procRoot, "procRoot").resolve("pressure");
  }

  @Override
  public String name() {
    return "pressure";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String resource : new String[] {"cpu", "io", "memory"}) {
      for (String line : ProcFiles.lines(dir.resolve(resource))) {
        String[] f = ProcFiles.fields(line);
        if (f.length < 5 || !f[4].startsWith("total=")) {
          continue;
        }
        double seconds = Double.parseDouble(f[4].substring(6)) / 1e6;
        if (f[0].equals("some")) {
          sink.add("node_pressure_" + resource + "_waiting_seconds_total", seconds);
        } else if (f[0].equals("full") && !resource.equals("cpu")) {
          sink.add("node_pressure_" + resource + "_stalled_seconds_total", seconds);
        }
      }
    }
  }
}
