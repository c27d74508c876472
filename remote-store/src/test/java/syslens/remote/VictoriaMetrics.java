package syslens.remote;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Debian's VictoriaMetrics on a loopback port with its own data directory, started by a test. */
final class VictoriaMetrics implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/victoria-metrics");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Path data;
  private final int port;
  private Process process;

  private VictoriaMetrics(Path data, int port) {
    this.data = data;
    this.port = port;
  }

  static boolean installed() {
    return java.nio.file.Files.isExecutable(BINARY);
  }

  static VictoriaMetrics start(Path data) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    VictoriaMetrics vm = new VictoriaMetrics(data, port);
    vm.start();
    return vm;
  }

  /** Starts (again, after {@link #stop()}) on the same port and data. */
  void start() throws IOException {
    process = new ProcessBuilder(List.of(BINARY.toString(), "-storageDataPath=" + data,
        "-httpListenAddr=127.0.0.1:" + port, "-search.latencyOffset=0s", "-retentionPeriod=100y",
        "-loggerLevel=ERROR", "-search.disableCache"))
        .redirectErrorStream(true).redirectOutput(data.resolveSibling("vm-" + port + ".log").toFile()).start();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(this::healthy);
  }

  /** Stops it (SIGTERM) and waits until it exited. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private boolean healthy() {
    if (!process.isAlive()) {
      throw new IllegalStateException("victoria-metrics exited with " + process.exitValue() + "; see "
          + data.resolveSibling("vm-" + port + ".log"));
    }
    try {
      return HTTP.send(HttpRequest.newBuilder(url("/health")).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Makes what it took searchable now (instead of within a second). */
  void flush() throws IOException, InterruptedException {
    HTTP.send(HttpRequest.newBuilder(url("/internal/force_flush")).build(), HttpResponse.BodyHandlers.discarding());
  }

  /** The series count of {@code selector} as VictoriaMetrics itself answers. */
  String get(String pathAndQuery) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
