package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.server.auth.RateLimits;

/** Security headers, closed CORS and rate limits, over real HTTP and HTTPS. */
class HttpHardeningTest {
  static final String GRAFANA = "https://grafana.example.com";
  static final int PER_USER = 8;
  @TempDir static Path dir;
  static TestServer server;
  static String token;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10), null,
        b -> b.rateLimits(new RateLimits(PER_USER, PER_USER, 10_000, 20)).corsOrigins(List.of(GRAFANA)));
    token = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> send(HttpClient c, HttpRequest.Builder b) throws Exception {
    return c.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertHardened(HttpResponse<?> r) {
    var h = r.headers();
    assertThat(h.firstValue("content-security-policy")).as("CSP on " + r.uri() + " " + r.statusCode())
        .hasValue(SecurityHeaders.CSP);
    assertThat(h.firstValue("content-security-policy").orElseThrow()).contains("frame-ancestors 'none'")
        .contains("script-src 'self';").doesNotContain("unsafe-eval");
    assertThat(h.firstValue("x-frame-options")).hasValue("DENY");
    assertThat(h.firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(h.firstValue("referrer-policy")).hasValue("no-referrer");
    assertThat(h.firstValue("access-control-allow-origin")).as("CORS closed").isEmpty();
  }

  @Test
  void headers_onApiStaticAndErrorResponses() throws Exception {
    HttpResponse<String> api = server.get("/api/v1/me", token);
    assertThat(api.statusCode()).isEqualTo(200);
    assertHardened(api);
    HttpResponse<String> index = server.get("/", null);
    // 200 when the dashboard was built into the jar, 404 from the static file service when not.
    assertThat(index.statusCode()).isIn(200, 404);
    assertHardened(index);
    HttpResponse<String> unauthorized = server.get("/api/v1/nodes", null);
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertHardened(unauthorized);
    HttpResponse<String> missing = server.get("/api/v1/no-such-thing", token);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertHardened(missing);
    HttpResponse<String> tooLarge = server.post("/api/v1/auth/login", "{\"username\":\"" + "a".repeat(40_000) + "\"}", null);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertHardened(tooLarge);
    assertThat(api.headers().firstValue("strict-transport-security")).as("no HSTS over plain HTTP").isEmpty();
  }

  @Test
  void live_plainGetWithoutUpgrade_jsonErrorNamingWhatIsExpected() throws Exception {
    HttpResponse<String> r = send(HTTP, HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/live"))
        .header("Authorization", "Bearer " + token));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type").orElse("")).contains("json");
    assertThat(r.body()).contains("not a WebSocket upgrade").contains("Upgrade: websocket");
  }

  @Test
  void hsts_onHttpsOnly() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(server.server.tls().caCertFile())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = send(https, HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/healthz")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("strict-transport-security")).hasValue(SecurityHeaders.HSTS);
    assertHardened(r);
    // TLS 1.3 is what a current client gets (issue #7 section 9: "TLS 1.3 preferred").
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("localhost",
        server.port())) {
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void cors_onlyForConfiguredOrigins() throws Exception {
    HttpResponse<String> evil = send(HTTP, HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/nodes"))
        .header("Origin", "https://evil.example.com").header("Authorization", "Bearer " + token));
    assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
    HttpResponse<String> preflight = send(HTTP, HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/query"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", GRAFANA)
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization"));
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue(GRAFANA);
    HttpResponse<String> evilPreflight = send(HTTP, HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/query"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example.com")
        .header("Access-Control-Request-Method", "POST"));
    assertThat(evilPreflight.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void rateLimit_oneUsersFlood_doesNotThrottleAnotherUserOrAnApiKey() throws Exception {
    String bob = newUser("bob");
    String carol = newUser("carol");
    HttpResponse<String> key = server.post("/api/v1/apikeys", "{\"name\":\"grafana\",\"scopes\":[\"monitoring:query:read\"]}", token);
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    String apiKey = TestServer.JSON.readTree(key.body()).get("data").get("key").asText();
    HttpResponse<String> limited = null;
    for (int i = 0; i < PER_USER + 2 && limited == null; i++) {
      HttpResponse<String> r = server.get("/api/v1/me", carol);
      if (r.statusCode() == 429) {
        limited = r;
      }
    }
    assertThat(limited).as("carol's flood hits its budget").isNotNull();
    assertThat(Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
    JsonNode body = TestServer.JSON.readTree(limited.body());
    assertThat(body.get("errorType").asText()).isEqualTo("rate_limited");
    assertThat(body.get("error").asText()).contains("carol").contains(PER_USER + " per minute");
    assertHardened(limited);
    assertThat(server.get("/api/v1/me", bob).statusCode()).as("another user").isEqualTo(200);
    assertThat(server.get("/api/v1/labels", apiKey).statusCode()).as("an API key has its own budget").isEqualTo(200);
  }

  private static String newUser(String name) throws Exception {
    HttpResponse<String> created = server.post("/api/v1/users", "{\"username\":\"" + name
        + "\",\"password\":\"Quiet-Harbor-Kettle-42\",\"role\":\"viewer\",\"mustChangePassword\":false}", token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return TestServer.JSON.readTree(server.post("/api/v1/auth/login",
        "{\"username\":\"" + name + "\",\"password\":\"Quiet-Harbor-Kettle-42\"}", null).body()).get("token").asText();
  }

  @Test
  void rateLimit_perSourceAddress_coversAnonymousRequests(@TempDir Path other) throws Exception {
    try (TestServer s = new TestServer(other, Duration.ofSeconds(10), null, b -> b.rateLimits(new RateLimits(0, 0, 5, 20)))) {
      int limitedAt = -1;
      for (int i = 0; i < 7 && limitedAt < 0; i++) {
        if (s.get("/api/v1/nodes", "not-a-token").statusCode() == 429) {
          limitedAt = i;
        }
      }
      assertThat(limitedAt).as("the sixth request from one address").isEqualTo(5);
      assertThat(s.get("/healthz", null).statusCode()).as("health checks are exempt").isEqualTo(200);
    }
  }
}
