package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** node_exporter's {@code entropy} collector: {@code /proc/sys/kernel/random}. */
final class EntropyCollector implements Collector {

  private final Path dir;

  EntropyCollector(Path procRoot) {
    this.dir = requireNonNull(procRoot, "procRoot").resolve("sys/kernel/random");
  }

  @Override
  public String name() {
    return "entropy";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    sink.add("node_entropy_available_bits", Double.parseDouble(ProcFiles.text(dir.resolve("entropy_avail"))));
    sink.add("node_entropy_pool_size_bits", Double.parseDouble(ProcFiles.text(dir.resolve("poolsize"))));
  }
}
