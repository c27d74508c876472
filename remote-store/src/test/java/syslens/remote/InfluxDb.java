package syslens.remote;

import static org.awaitility.Awaitility.await;

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

/** Debian's InfluxDB 1.6 ({@code /usr/bin/influxd}) on loopback ports with its own directories. */
final class InfluxDb implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/influxd");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Path dir;
  private final int port;
  private Process process;

  private InfluxDb(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  static InfluxDb start(Path dir) throws IOException {
    int port;
    int rpc;
    try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = a.getLocalPort();
      rpc = b.getLocalPort();
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("influxdb.conf"), String.join("\n",
        "reporting-disabled = true",
        "bind-address = \"127.0.0.1:" + rpc + "\"",
        "[meta]", "  dir = \"" + dir.resolve("meta") + "\"",
        "[data]", "  dir = \"" + dir.resolve("data") + "\"", "  wal-dir = \"" + dir.resolve("wal") + "\"",
        "  query-log-enabled = false",
        "[monitor]", "  store-enabled = false",
        "[http]", "  bind-address = \"127.0.0.1:" + port + "\"", "  log-enabled = false",
        "  max-row-limit = 0",
        "[continuous_queries]", "  enabled = false", ""));
    InfluxDb db = new InfluxDb(dir, port);
    db.start();
    return db;
  }

  /** Starts (again) on the same port and directories. */
  void start() throws IOException {
    process = new ProcessBuilder(List.of(BINARY.toString(), "-config", dir.resolve("influxdb.conf").toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("influxd.log").toFile()).start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(this::healthy);
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private boolean healthy() {
    if (!process.isAlive()) {
      throw new IllegalStateException("influxd exited with " + process.exitValue() + "; see " + dir.resolve("influxd.log"));
    }
    try {
      return HTTP.send(HttpRequest.newBuilder(url("/ping")).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 204;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs an InfluxQL statement (e.g. CREATE DATABASE) and returns the answer. */
  String query(String q) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url("/query")).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
