package syslens.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

/** Debian's VictoriaMetrics on a loopback port with its own data directory, started by a test. */
final class VictoriaMetrics implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/victoria-metrics");

  private final int port;
  private final LoopbackProcess process;

  private VictoriaMetrics(Path data, int port) {
    this.port = port;
    this.process = new LoopbackProcess(List.of(BINARY.toString(), "-storageDataPath=" + data,
        "-httpListenAddr=127.0.0.1:" + port, "-search.latencyOffset=0s", "-retentionPeriod=100y",
        "-loggerLevel=ERROR", "-search.disableCache"), data.resolveSibling("vm-" + port + ".log"), url("/health"), 200);
  }

  static boolean installed() {
    return java.nio.file.Files.isExecutable(BINARY);
  }

  static VictoriaMetrics start(Path data) throws IOException {
    VictoriaMetrics vm = new VictoriaMetrics(data, LoopbackProcess.freePort());
    vm.start();
    return vm;
  }

  /** Starts (again, after {@link #stop()}) on the same port and data. */
  void start() throws IOException {
    process.start();
  }

  /** Stops it (SIGTERM) and waits until it exited. */
  void stop() throws InterruptedException {
    process.stop();
  }

  /** Makes what it took searchable now (instead of within a second). */
  void flush() throws IOException, InterruptedException {
    LoopbackProcess.HTTP.send(HttpRequest.newBuilder(url("/internal/force_flush")).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
