package syslens.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A real server on 127.0.0.1, port 0, in a temp data directory, plus a small HTTP client. */
final class TestServer implements AutoCloseable {
  static final String PASSWORD = "correct horse battery staple";
  static final String TOKEN = "test-enrollment-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path data;
  final Duration interval;
  SysLensServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String metadataUrl;
  /** Extra settings applied to every start (e.g. smaller ingest limits). */
  private final java.util.function.UnaryOperator<ServerConfig.Builder> custom;

  TestServer(Path data, Duration interval) throws IOException {
    this(data, interval, null);
  }

  /** With {@code metadataUrl} a PostgreSQL JDBC URL (user syslens, no password), else embedded H2. */
  TestServer(Path data, Duration interval, String metadataUrl) throws IOException {
    this(data, interval, metadataUrl, b -> b);
  }

  TestServer(Path data, Duration interval, String metadataUrl,
      java.util.function.UnaryOperator<ServerConfig.Builder> custom) throws IOException {
    this.data = data;
    this.interval = interval;
    this.metadataUrl = metadataUrl;
    this.custom = custom;
    start();
  }

  void start() throws IOException {
    // Functional tests hammer the API from one user and one address: request budgets off here
    // (HttpHardeningTest sets its own); the login budget stays at its default.
    server = SysLensServer.start(custom.apply(ServerConfig.builder(data).port(0).adminPassword(PASSWORD)
        .enrollmentToken(TOKEN).collectInterval(interval).metadata(metadataUrl, "syslens", null)
        .rateLimits(new syslens.server.auth.RateLimits(0, 0, 0, syslens.server.auth.RateLimits.defaults().loginPerMinute())))
        .build());
  }

  void restart() throws IOException {
    server.close();
    start();
  }

  int port() {
    return server.port();
  }

  String base() {
    return "http://127.0.0.1:" + port();
  }

  String login() throws Exception {
    HttpResponse<String> r = post("/api/v1/auth/login",
        "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}", null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("token").asText();
  }

  HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).GET(), token);
  }

  HttpResponse<String> post(String path, String body, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  HttpResponse<String> put(String path, String body, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  HttpResponse<String> delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE(), token);
  }

  HttpResponse<String> postForm(String path, String body, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base() + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String token) throws Exception {
    b.timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode queryRange(String token, String query, long startMs, long endMs, String step) throws Exception {
    HttpResponse<String> r = get("/api/v1/query_range?query=" + enc(query) + "&start=" + startMs / 1000.0
        + "&end=" + endMs / 1000.0 + "&step=" + step, token);
    return JSON.readTree(r.body());
  }

  /** Opens the live WebSocket with {@code token}; every text message is added to {@code into}. */
  java.net.http.WebSocket live(String token, java.util.List<String> into) {
    return live(token, "", into);
  }

  /** As {@link #live(String, java.util.List)}, with {@code query} (such as {@code &subscribe=none}) after the token. */
  java.net.http.WebSocket live(String token, String query, java.util.List<String> into) {
    return HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", base())
        .buildAsync(URI.create("ws://127.0.0.1:" + port() + "/api/v1/live?token=" + token + query),
            new java.net.http.WebSocket.Listener() {
              StringBuilder buf = new StringBuilder();

              @Override
              public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                  boolean last) {
                buf.append(data);
                if (last) {
                  into.add(buf.toString());
                  buf = new StringBuilder();
                }
                w.request(1);
                return null;
              }
            }).join();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.close();
  }
}
