package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * node_exporter's {@code uname} collector, from {@code /proc/sys/kernel} (the same strings
 * uname(2) returns); {@code machine} comes from the JVM's {@code os.arch}, mapped to uname's names.
 * The five files stay open between rounds and are read again with one pread each; a value's string
 * is made again only when its bytes change (a new host name).
 */
final class UnameCollector implements Collector {

  private static final String[] FILES = {"ostype", "osrelease", "version", "hostname", "domainname"};

  private final Path kernel;
  private final String machine;
  private final KeptFiles files = new KeptFiles(1024);
  private final FileChannel[] open = new FileChannel[FILES.length];
  private final byte[][] bytes = new byte[FILES.length][];
  private final String[] values = new String[FILES.length];
  private boolean closed;

  UnameCollector(Path procRoot, String osArch) {
    this.kernel = requireNonNull(procRoot, "procRoot").resolve("sys/kernel");
    this.machine = machine(requireNonNull(osArch, "osArch"));
  }

  @Override
  public String name() {
    return "uname";
  }

  @Override
  public synchronized void collect(MetricSink sink) throws Exception {
    for (int i = 0; i < FILES.length; i++) {
      read(i);
    }
    sink.add("node_uname_info", 1,
        "sysname", values[0],
        "release", values[1],
        "version", values[2],
        "machine", machine,
        "nodename", values[3],
        "domainname", values[4]);
  }

  /** Reads file {@code i} into {@code values[i]} (without the trailing newline). */
  private void read(int i) throws IOException {
    if (open[i] == null) {
      open[i] = KeptFiles.open(kernel.resolve(FILES[i]));
    }
    int n = files.read(open[i]);
    if (n < 0 || closed) {
      KeptFiles.close(open[i]);
      open[i] = null;
    }
    if (n < 0) {
      throw new IOException("cannot read " + kernel.resolve(FILES[i]));
    }
    byte[] b = files.buf;
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
      n--;
    }
    if (bytes[i] == null || !Arrays.equals(bytes[i], 0, bytes[i].length, b, 0, n)) {
      bytes[i] = Arrays.copyOf(b, n);
      values[i] = new String(bytes[i], StandardCharsets.UTF_8);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (int i = 0; i < open.length; i++) {
      KeptFiles.close(open[i]);
      open[i] = null;
    }
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
