package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** node_exporter's {@code vmstat} collector with its 1.5 default field filter. */
final class VmStatCollector implements Collector {

  static final Pattern FIELDS = Pattern.compile("^(oom_kill|pgpg|pswp|pg.*fault).*");

  private final Path file;

  VmStatCollector(Path procRoot) {
    this.file = requireNonNull(procRoot, "procRoot").resolve("vmstat");
  }

  @Override
  public String name() {
    return "vmstat";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    for (String line : ProcFiles.lines(file)) {
      int sp = line.indexOf(' ');
      if (sp > 0 && FIELDS.matcher(line).lookingAt()) {
        sink.add("node_vmstat_" + line.substring(0, sp), Double.parseDouble(line.substring(sp + 1).strip()));
      }
    }
  }
}
