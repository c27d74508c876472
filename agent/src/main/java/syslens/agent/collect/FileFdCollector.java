package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** node_exporter's {@code filefd} collector: {@code /proc/sys/fs/file-nr}. */
final class FileFdCollector implements Collector {

  private final Path file;

  FileFdCollector(Path procRoot) {
    this.file = requireNonNull(procRoot, "procRoot").resolve("sys/fs/file-nr");
  }

  @Override
  public String name() {
    return "filefd";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    String[] f = ProcFiles.fields(ProcFiles.text(file));
    if (f.length < 3) {
      throw new IllegalStateException(file + ": '" + String.join(" ", f) + "' (expected: 3 numbers)");
    }
    sink.add("node_filefd_allocated", Double.parseDouble(f[0]));
    sink.add("node_filefd_maximum", Double.parseDouble(f[2]));
  }
}
