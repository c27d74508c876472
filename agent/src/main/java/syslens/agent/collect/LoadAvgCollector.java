package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;

/** node_exporter's {@code loadavg} collector. */
final class LoadAvgCollector implements Collector {

  private final Path loadavg;

  LoadAvgCollector(Path procRoot) {
    this.loadavg = requireNonNull(procRoot, "procRoot").resolve("loadavg");
  }

  @Override
  public String name() {
    return "loadavg";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    String[] f = ProcFiles.fields(ProcFiles.text(loadavg));
    if (f.length < 3) {
      throw new IOException(loadavg + ": " + f.length + " fields (expected: >= 3)");
    }
    sink.add("node_load1", Double.parseDouble(f[0]));
    sink.add("node_load5", Double.parseDouble(f[1]));
    sink.add("node_load15", Double.parseDouble(f[2]));
  }
}
