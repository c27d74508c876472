package syslens.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Debian's InfluxDB 1.6 ({@code /usr/bin/influxd}) on loopback ports with its own directories. */
final class InfluxDb implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/influxd");

  private final int port;
  private final LoopbackProcess process;

  private InfluxDb(Path dir, int port) {
    this.port = port;
    this.process = new LoopbackProcess(List.of(BINARY.toString(), "-config", dir.resolve("influxdb.conf").toString()),
        dir.resolve("influxd.log"), url("/ping"), 204);
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  static InfluxDb start(Path dir) throws IOException {
    int port = LoopbackProcess.freePort();
    int rpc = LoopbackProcess.freePort();
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
    process.start();
  }

  void stop() throws InterruptedException {
    process.stop();
  }

  /** Runs an InfluxQL statement (e.g. CREATE DATABASE) and returns the answer. */
  String query(String q) throws IOException, InterruptedException {
    return LoopbackProcess.HTTP.send(HttpRequest.newBuilder(url("/query"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
