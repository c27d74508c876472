package syslens.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Debian's VictoriaMetrics 1.79 ({@code /usr/bin/victoria-metrics}) on 127.0.0.1 with its own data
 * directory; can be stopped and started again on the same port and data (a store outage).
 */
final class VictoriaMetricsPeer implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/victoria-metrics");
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path data;
  private final int port;
  private final List<String> flags;
  private Process process;

  private VictoriaMetricsPeer(Path data, int port, List<String> flags) {
    this.data = data;
    this.port = port;
    this.flags = flags;
  }

  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Starts it with the test defaults and {@code extraFlags} (e.g. {@code -dedup.minScrapeInterval=1ms}). */
  static VictoriaMetricsPeer start(Path data, String... extraFlags) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      VictoriaMetricsPeer vm = new VictoriaMetricsPeer(data, s.getLocalPort(), List.of(extraFlags));
      s.close();
      vm.start();
      return vm;
    }
  }

  void start() throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of(BINARY.toString(), "-storageDataPath=" + data,
        "-httpListenAddr=127.0.0.1:" + port, "-search.latencyOffset=0s", "-retentionPeriod=100y",
        "-loggerLevel=ERROR", "-search.disableCache"));
    cmd.addAll(flags);
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true).redirectOutput(data.resolveSibling("victoria-metrics.log").toFile()).start();
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("victoria-metrics exited: " + Files.readString(
            data.resolveSibling("victoria-metrics.log")));
      }
      try {
        return http.send(HttpRequest.newBuilder(url("/health")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Makes what it took searchable now. */
  void flush() throws IOException, InterruptedException {
    http.send(HttpRequest.newBuilder(url("/internal/force_flush")).build(), HttpResponse.BodyHandlers.discarding());
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
