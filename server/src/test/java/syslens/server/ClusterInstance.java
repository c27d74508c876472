package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.stream.Stream;

/**
 * One {@code syslens server} JVM of a multi-instance test: PostgreSQL metadata, a remote store
 * (Prometheus remote-write URL), the given roles, on a free loopback port, its log beside its
 * data directory. Killed with SIGKILL, restarted on the same directory.
 */
final class ClusterInstance {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Path data;
  final int port;
  final String metadataUrl;
  final String writeUrl;
  final String roles;
  /** Further flags (e.g. the Kafka ingest bus's). */
  private final List<String> extra = new java.util.ArrayList<>();
  Process process;

  ClusterInstance(Path data, String metadataUrl, String writeUrl, String roles) throws IOException {
    this.data = data;
    this.port = freePort();
    this.metadataUrl = metadataUrl;
    this.writeUrl = writeUrl;
    this.roles = roles;
    Files.createDirectories(data);
  }

  String hostPort() {
    return "localhost:" + port;
  }

  /** The address the instance writes into cluster_members. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** Adds flags to its command line (null metadata URL: the embedded H2 metadata store). */
  ClusterInstance with(String... flags) {
    extra.addAll(List.of(flags));
    return this;
  }

  /** Takes the first instance's secrets and TLS material (the schema, CA and keys it created). */
  ClusterInstance sharing(ClusterInstance first) throws IOException {
    copyTree(first.data.resolve("secrets"), data.resolve("secrets"));
    copyTree(first.data.resolve("tls"), data.resolve("tls"));
    return this;
  }

  void start() throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Dsyslens.bcrypt.cost=" + System.getProperty("syslens.bcrypt.cost", "12"),
        "-cp", System.getProperty("java.class.path"), "syslens.server.Main", "server", "--bind",
        "127.0.0.1", "--port", Integer.toString(port), "--data", data.toString(), "--collect-interval", "1s",
        "--storage", "prometheus-remote", "--storage-url", writeUrl, "--roles", roles));
    if (metadataUrl != null) {
      cmd.addAll(List.of("--metadata-url", metadataUrl));
    }
    cmd.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.environment().put("SYSLENS_ADMIN_PASSWORD", TestServer.PASSWORD);
    pb.environment().put("SYSLENS_ENROLLMENT_TOKEN", TestServer.TOKEN);
    pb.environment().put("SYSLENS_METADATA_USER", "syslens");
    process = pb.start();
  }

  Path log() {
    return data.resolveSibling(data.getFileName() + ".log");
  }

  /**
   * Waits for {@code /readyz}. A child server with Kafka clients, three Flyway histories and
   * Armeria took over 60 s to get there at load 16-19 on the 2-core CI machine (a local CI run
   * beside three benchmarking helpers): the bound is 120 s.
   */
  void awaitReady() throws IOException {
    try {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("server exited with " + process.exitValue());
        }
        try {
          return get("/readyz", null).statusCode() == 200;
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException e) {
      throw new AssertionError("server " + data.getFileName() + " not ready: " + e.getMessage() + "\n--- log ---\n"
          + Files.readString(log()), e);
    }
  }

  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(); // SIGKILL
    }
  }

  String login() throws Exception {
    HttpResponse<String> r = post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\""
        + TestServer.PASSWORD + "\"}", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.JSON.readTree(r.body()).get("token").asText();
  }

  HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  HttpResponse<String> post(String path, String body, String token) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  HttpResponse<String> put(String path, String body, String token) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  HttpResponse<String> send(String method, String path, String body, String contentType, String token)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofString(body)), token);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String token) throws IOException, InterruptedException {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
