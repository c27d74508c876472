package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.security.OidcSettings;

/**
 * Single sign-on against a real OpenID Connect provider (mock-oauth2-server on loopback, its
 * non-interactive login issues a code at once), browserless: start, the provider, the callback,
 * the one-time code exchange, then the session on {@code /api/v1/me}.
 */
class OidcLoginTest {
  static final String CLIENT = "syslens-client";

  @TempDir static Path dir;
  static MockOAuth2Server provider;
  static TestServer server;
  static String admin;
  static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    provider = new MockOAuth2Server();
    provider.start(InetAddress.getLoopbackAddress(), 0);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI issuer = URI.create(provider.issuerUrl("default").toString());
    OidcSettings settings = new OidcSettings(issuer, CLIENT, "client-secret", URI.create("http://127.0.0.1:" + port),
        "groups", OidcSettings.parseGroupRoles("ops=operator, sre=admin"), null);
    server = new TestServer(dir, Duration.ofSeconds(1), null, b -> b.port(port).oidc(settings)
        .rateLimits(new syslens.server.auth.RateLimits(0, 0, 0, 1_000)));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
    provider.shutdown();
  }

  @Test
  void status_enabled() throws Exception {
    assertThat(json(get(server.base() + "/api/v1/auth/oidc")).path("data").path("enabled").asBoolean()).isTrue();
  }

  @Test
  void login_fullFlowIssuesSessionWithMappedRole() throws Exception {
    enqueue("sub-alice", "alice", List.of(CLIENT), Map.of("groups", List.of("staff", "ops"), "locale", "ja-JP"));
    String callback = throughProvider();
    HttpResponse<String> back = get(callback);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
    String location = back.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/#/login/oidc?code=");
    String code = URLDecoder.decode(location.substring(location.indexOf("code=") + 5), StandardCharsets.UTF_8);

    HttpResponse<String> ex = exchange(code);
    assertThat(ex.statusCode()).as(ex.body()).isEqualTo(200);
    JsonNode login = json(ex);
    assertThat(login.path("username").asText()).isEqualTo("alice");
    assertThat(login.path("role").asText()).isEqualTo("operator");
    assertThat(login.path("language").asText()).isEqualTo("ja-JP");
    assertThat(login.path("refreshToken").asText()).isNotEmpty();
    JsonNode me = json(server.get("/api/v1/me", login.path("token").asText()));
    assertThat(me.path("data").path("username").asText()).isEqualTo("alice");

    HttpResponse<String> again = exchange(code);
    assertThat(again.statusCode()).as("replayed one-time code").isEqualTo(401);

    // The group changed at the provider: the next login carries the new role.
    enqueue("sub-alice", "alice", List.of(CLIENT), Map.of("groups", List.of("sre")));
    assertThat(json(exchange(codeOf(get(throughProvider())))).path("role").asText()).isEqualTo("admin");
  }

  @Test
  void callback_wrongStateRefused() throws Exception {
    enqueue("sub-bob", "bob", List.of(CLIENT), Map.of("groups", List.of("ops")));
    String callback = throughProvider();
    String forged = callback.replaceAll("state=[^&]+", "state=forged");
    assertRefused(get(forged), "unknown or expired state");
  }

  @Test
  void callback_otherAudienceRefused() throws Exception {
    // The provider writes the client id into "aud" of ID tokens; an extra claim overrides it.
    enqueue("sub-carol", "carol", List.of("another-client"), Map.of("groups", List.of("ops"), "aud", "another-client"));
    assertRefused(get(throughProvider()), "ID token");
  }

  @Test
  void callback_otherIssuerRefused() throws Exception {
    enqueue("sub-dave", "dave", List.of(CLIENT), Map.of("groups", List.of("ops"), "iss", "https://evil.example"));
    assertRefused(get(throughProvider()), "ID token");
  }

  @Test
  void callback_unmappedUserRefusedAndAudited() throws Exception {
    enqueue("sub-erin", "erin", List.of(CLIENT), Map.of("groups", List.of("marketing")));
    assertRefused(get(throughProvider()), "mapped to a role");
    JsonNode audit = json(server.get("/api/v1/audit?action=login.failed&actor=erin", admin));
    assertThat(audit.path("data").toString()).contains("oidc: no group");
    assertThat(server.get("/api/v1/users/erin", admin).statusCode()).isEqualTo(404);
  }

  @Test
  void callback_localAccountOfSameNameRefused() throws Exception {
    enqueue("sub-admin", "admin", List.of(CLIENT), Map.of("groups", List.of("sre")));
    assertRefused(get(throughProvider()), "local account");
  }

  @Test
  void callback_disabledUserRefused() throws Exception {
    enqueue("sub-frank", "frank", List.of(CLIENT), Map.of("groups", List.of("ops")));
    assertThat(get(throughProvider()).headers().firstValue("Location").orElseThrow()).contains("code=");
    HttpResponse<String> disable = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/users/frank"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"disabled\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(disable.statusCode()).as(disable.body()).isEqualTo(200);
    enqueue("sub-frank", "frank", List.of(CLIENT), Map.of("groups", List.of("ops")));
    assertRefused(get(throughProvider()), "disabled");
  }

  /** Follows start to the provider; returns the callback URL the provider redirects the browser to. */
  static String throughProvider() throws Exception {
    HttpResponse<String> start = get(server.base() + "/api/v1/auth/oidc/start");
    assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
    String authorize = start.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).contains("code_challenge_method=S256").contains("nonce=").contains("state=");
    HttpResponse<String> atProvider = get(authorize);
    assertThat(atProvider.statusCode()).as(atProvider.body()).isEqualTo(302);
    String callback = atProvider.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(server.base() + OidcSettings.CALLBACK_PATH);
    return callback;
  }

  static void enqueue(String subject, String username, List<String> audience, Map<String, Object> claims) {
    Map<String, Object> all = new java.util.HashMap<>(claims);
    all.put("preferred_username", username);
    provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", audience, all, 3600));
  }

  static String codeOf(HttpResponse<String> callback) {
    String location = callback.headers().firstValue("Location").orElseThrow();
    assertThat(location).as("redirect after callback").contains("code=");
    return URLDecoder.decode(location.substring(location.indexOf("code=") + 5), StandardCharsets.UTF_8);
  }

  static void assertRefused(HttpResponse<String> callback, String why) {
    assertThat(callback.statusCode()).isEqualTo(302);
    String location = URLDecoder.decode(callback.headers().firstValue("Location").orElseThrow(), StandardCharsets.UTF_8);
    assertThat(location).startsWith("/#/login/oidc?error=").contains(why).doesNotContain("code=");
  }

  static HttpResponse<String> exchange(String code) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/auth/oidc/exchange"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body());
  }
}
