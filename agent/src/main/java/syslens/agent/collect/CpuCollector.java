package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter's {@code cpu} collector: per-CPU time from {@code /proc/stat}, in seconds.
 * The kernel reports USER_HZ ticks, which is 100 on every Linux ABI node_exporter supports.
 */
final class CpuCollector implements Collector {

  static final double USER_HZ = 100.0;
  // Column order of the cpuN lines in /proc/stat (after the name).
  private static final String[] MODES = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

  private final Path stat;

  CpuCollector(Path procRoot) {
    this.stat = requireNonNull(procRoot, "procRoot").resolve("stat");
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(stat)) {
      if (!line.startsWith("cpu") || line.length() < 4 || !Character.isDigit(line.charAt(3))) {
        continue; // the aggregate "cpu " line is not exported, as in node_exporter
      }
      String[] f = ProcFiles.fields(line);
      String cpu = f[0].substring(3);
      for (int i = 0; i < MODES.length && i + 1 < f.length; i++) {
        sink.add("node_cpu_seconds_total", Long.parseLong(f[i + 1]) / USER_HZ,
            "cpu", cpu, "mode", MODES[i]);
      }
      if (f.length > 10) {
        sink.add("node_cpu_guest_seconds_total", Long.parseLong(f[9]) / USER_HZ,
            "cpu", cpu, "mode", "user");
        sink.add("node_cpu_guest_seconds_total", Long.parseLong(f[10]) / USER_HZ,
            "cpu", cpu, "mode", "nice");
      }
    }
  }
}
