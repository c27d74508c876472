package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * node_exporter's {@code uname} collector, from {@code /proc/sys/kernel} (the same strings
 * uname(2) returns); {@code machine} comes from the JVM's {@code os.arch}, mapped to uname's names.
 */
final class UnameCollector implements Collector {

  private final Path kernel;
  private final String machine;

  UnameCollector(Path procRoot, String osArch) {
    this.kernel = requireNonNull(procRoot, "procRoot").resolve("sys/kernel");
    this.machine = machine(requireNonNull(osArch, "osArch"));
  }

  @Override
  public String name() {
    return "uname";
  }

  @Override
  public void collect(MetricSink sink) throws Exception {
    sink.add("node_uname_info", 1,
        "sysname", ProcFiles.text(kernel.resolve("ostype")),
        "release", ProcFiles.text(kernel.resolve("osrelease")),
        "version", ProcFiles.text(kernel.resolve("version")),
        "machine", machine,
        "nodename", ProcFiles.text(kernel.resolve("hostname")),
        "domainname", ProcFiles.text(kernel.resolve("domainname")));
  }

  static String machine(String osArch) {
    return switch (osArch) {
      case "amd64" -> "x86_64";
      case "x86" -> "i686";
      case "arm" -> "armv7l";
      default -> osArch;
    };
  }
}
