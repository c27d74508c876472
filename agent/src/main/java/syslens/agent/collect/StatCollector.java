package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** node_exporter's {@code stat} collector: kernel counters from {@code /proc/stat}. */
final class StatCollector implements Collector {

  private final Path stat;

  StatCollector(Path procRoot) {
    this.stat = requireNonNull(procRoot, "procRoot").resolve("stat");
  }

  @Override
  public String name() {
    return "stat";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(stat)) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 2) {
        continue;
      }
      switch (f[0]) {
        case "intr" -> sink.add("node_intr_total", Double.parseDouble(f[1]));
        case "ctxt" -> sink.add("node_context_switches_total", Double.parseDouble(f[1]));
        case "btime" -> sink.add("node_boot_time_seconds", Double.parseDouble(f[1]));
        case "processes" -> sink.add("node_forks_total", Double.parseDouble(f[1]));
        case "procs_running" -> sink.add("node_procs_running", Double.parseDouble(f[1]));
        case "procs_blocked" -> sink.add("node_procs_blocked", Double.parseDouble(f[1]));
        default -> { }
      }
    }
  }
}
