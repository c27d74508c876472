package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter's {@code meminfo} collector: every {@code /proc/meminfo} field as
 * {@code node_memory_<Field>[_bytes]}, with {@code Active(anon)} becoming {@code Active_anon}
 * and kB values converted to bytes; fields without a unit (HugePages_*) keep their count.
 */
final class MemInfoCollector implements Collector {

  private final Path meminfo;

  MemInfoCollector(Path procRoot) {
    this.meminfo = requireNonNull(procRoot, "procRoot").resolve("meminfo");
  }

  @Override
  public String name() {
    return "meminfo";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(meminfo)) {
      String[] f = ProcFiles.fields(line);
      if (f.length < 2 || !f[0].endsWith(":")) {
        continue;
      }
      String key = metricKey(f[0].substring(0, f[0].length() - 1));
      double value = Double.parseDouble(f[1]);
      if (f.length == 3) { // "kB" is the only unit the kernel prints
        sink.add("node_memory_" + key + "_bytes", value * 1024);
      } else if (f.length == 2) {
        sink.add("node_memory_" + key, value);
      }
    }
  }

  /** node_exporter's mangling: {@code \((.*)\)} becomes {@code _$1}. */
  static String metricKey(String field) {
    int open = field.indexOf('(');
    int close = field.lastIndexOf(')');
    if (open < 0 || close < open) {
      return field;
    }
    return field.substring(0, open) + "_" + field.substring(open + 1, close)
        + field.substring(close + 1);
  }
}
