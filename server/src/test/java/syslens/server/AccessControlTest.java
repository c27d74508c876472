package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/** Users, roles, sessions, API keys, node credentials and audit over the real HTTP API. */
class AccessControlTest {
  static final String USER_PW = "Tr0ub4dor-and-3x";
  @TempDir static Path dir;
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(1));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body());
  }

  private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode login(String user, String pw) throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login",
        "{\"username\":\"" + user + "\",\"password\":\"" + pw + "\"}", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static void createUser(String name, String role, boolean mustChange) throws Exception {
    HttpResponse<String> r = server.post("/api/v1/users", "{\"username\":\"" + name + "\",\"password\":\"" + USER_PW
        + "\",\"role\":\"" + role + "\",\"mustChangePassword\":" + mustChange + "}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void users_deletedOrDisabled_tokenRefusedAtOnce() throws Exception {
    createUser("victor", "viewer", false);
    createUser("wendy", "viewer", false);
    String v = login("victor", USER_PW).get("token").asText();
    String w = login("wendy", USER_PW).get("token").asText();
    assertThat(server.get("/api/v1/nodes", v).statusCode()).isEqualTo(200);
    assertThat(send("DELETE", "/api/v1/users/victor", null, admin).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/nodes", v).statusCode()).isEqualTo(401);
    assertThat(send("PATCH", "/api/v1/users/wendy", "{\"disabled\":true}", admin).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/nodes", w).statusCode()).isEqualTo(401);
  }

  @Test
  void users_weakPassword_is400NamingTheRule_andViewerGets403() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/users",
        "{\"username\":\"xavier\",\"password\":\"Password123!\",\"role\":\"viewer\"}", admin);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).contains("commonly used");
    createUser("yara", "viewer", false);
    String y = login("yara", USER_PW).get("token").asText();
    HttpResponse<String> forbidden = server.get("/api/v1/users", y);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(json(forbidden).get("error").asText()).contains("users:user:manage");
    assertThat(server.get("/api/v1/audit", y).statusCode()).isEqualTo(403);
  }

  @Test
  void login_forcedPasswordChange_restrictsUntilChanged() throws Exception {
    createUser("zoe", "operator", true);
    JsonNode l = login("zoe", USER_PW);
    assertThat(l.get("restricted").asText()).isEqualTo("change_password");
    String t = l.get("token").asText();
    HttpResponse<String> blocked = server.get("/api/v1/nodes", t);
    assertThat(blocked.statusCode()).isEqualTo(403);
    assertThat(json(blocked).get("errorType").asText()).isEqualTo("change_password");
    HttpResponse<String> changed = server.post("/api/v1/auth/password",
        "{\"currentPassword\":\"" + USER_PW + "\",\"newPassword\":\"N3w-and-Better-Pw\"}", t);
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    String fresh = json(changed).get("token").asText();
    assertThat(server.get("/api/v1/nodes", fresh).statusCode()).isEqualTo(200);
  }

  @Test
  void logout_andRefresh_overHttp() throws Exception {
    JsonNode l = login("admin", TestServer.PASSWORD);
    HttpResponse<String> refreshed = server.post("/api/v1/auth/refresh",
        "{\"refreshToken\":\"" + l.get("refreshToken").asText() + "\"}", null);
    assertThat(refreshed.statusCode()).isEqualTo(200);
    String t = json(refreshed).get("token").asText();
    assertThat(server.post("/api/v1/auth/logout", "", t).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/nodes", t).statusCode()).isEqualTo(401);
    assertThat(server.post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + json(refreshed).get("refreshToken")
        .asText() + "\"}", null).statusCode()).isEqualTo(401);
  }

  @Test
  void apiKey_asBearerAndBasicAuth_scopedAndRevocable() throws Exception {
    HttpResponse<String> r = server.post("/api/v1/apikeys",
        "{\"name\":\"grafana\",\"scopes\":[\"monitoring:query:read\"]}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String key = json(r).at("/data/key").asText();
    String id = json(r).at("/data/id").asText();
    assertThat(server.get("/api/v1/query?query=1", key).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/nodes", key).statusCode()).as("outside the key's scope").isEqualTo(403);
    String basic = Base64.getEncoder().encodeToString(("admin:" + key).getBytes());
    HttpResponse<String> viaBasic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.base() + "/api/v1/query?query=1")).header("Authorization", "Basic " + basic).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(viaBasic.statusCode()).isEqualTo(200);
    assertThat(send("DELETE", "/api/v1/apikeys/" + id, null, admin).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/query?query=1", key).statusCode()).isEqualTo(401);
  }

  @Test
  void roles_conflictingSet_isRefusedNamingTheConflict() throws Exception {
    HttpResponse<String> r = send("PUT", "/api/v1/roles/sod", "{\"grants\":[\"users:user:manage\","
        + "\"system:audit:delete\"]}", admin);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).contains("separation of duties");
    assertThat(send("PUT", "/api/v1/roles/team-a", "{\"parents\":[\"viewer\"],\"grants\":[\"alerts:rule:write\"]}",
        admin).statusCode()).isEqualTo(200);
  }

  @Test
  void agent_enrollsOnce_reconnectsWithItsCredential_andRevocationRefusesIt() throws Exception {
    Path state = dir.resolve("agent-state");
    try (Agent a = agentWith(state)) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.state() == AgentState.CONNECTED && a.hasNodeCredential());
    }
    try (Agent again = Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .nodeId("cred-node").stateDir(state).interval(Duration.ofSeconds(1)).build()) {
      again.start(); // no enrollment token at all: its own credential only
      await().atMost(Duration.ofSeconds(20)).until(() -> again.state() == AgentState.CONNECTED);
    }
    assertThat(server.post("/api/v1/node-credentials/cred-node/revoke", "", admin).statusCode()).isEqualTo(200);
    try (Agent revoked = agentWith(state)) {
      revoked.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> revoked.state() == AgentState.STOPPED_FATAL);
      assertThat(revoked.lastRejectReason()).contains("revoked");
    }
    JsonNode audit = json(server.get("/api/v1/audit?limit=1000", admin));
    List<String> actions = new ArrayList<>();
    audit.get("data").forEach(e -> actions.add(e.get("action").asText()));
    assertThat(actions).contains("node.enrolled", "node.revoked", "node.refused", "login.succeeded");
    assertThat(json(server.get("/api/v1/audit/verify", admin)).at("/data/ok").asBoolean()).isTrue();
  }

  @Test
  void revoke_connectedNode_streamEndsAtOnceAndAgentStops() throws Exception {
    try (Agent a = Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .enrollmentToken(TestServer.TOKEN).nodeId("live-node").stateDir(dir.resolve("live-state"))
        .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.state() == AgentState.CONNECTED && a.hasNodeCredential());
      assertThat(server.post("/api/v1/node-credentials/live-node/revoke", "", admin).statusCode()).isEqualTo(200);
      // Not at its next connection: the open stream itself is closed with a fatal reject.
      await().atMost(Duration.ofSeconds(20)).until(() -> a.state() == AgentState.STOPPED_FATAL);
      assertThat(a.lastRejectReason()).contains("revoked");
    }
  }

  private static Agent agentWith(Path state) {
    return Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .enrollmentToken(TestServer.TOKEN).nodeId("cred-node").stateDir(state).interval(Duration.ofSeconds(1))
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
  }

  /** Every route the server serves is either public or has a row in AccessRules. */
  @Test
  void routes_everyAuthenticatedRouteHasAnAccessRule() throws Exception {
    Set<String> publicRoutes = Set.of("/healthz", "/readyz", "/api/v1/auth/login", "/api/v1/auth/refresh",
        "/api/v1/auth/oidc", "/api/v1/auth/oidc/start", "/api/v1/auth/oidc/callback", "/api/v1/auth/oidc/exchange");
    List<String> missing = new ArrayList<>();
    for (ServiceConfig sc : server.server.armeria().serviceConfigs()) {
      Route route = sc.route();
      String pattern = route.patternString();
      if (publicRoutes.contains(pattern) || pattern.equals("/*") || pattern.equals("/") || pattern.startsWith("/syslens.agent")
          || pattern.startsWith("/grpc")) {
        continue;
      }
      String probe = pattern.replace("/*", "/x").replaceAll("\\{[^}]+}", "x").replaceAll(":[a-z]+", "x");
      if (probe.startsWith("/api/v1/roles/x/x") || probe.startsWith("/api/v1/users/x/x")) {
        probe = probe.replace("/x/x", "/x/check");
      }
      HttpResponse<String> anon = server.get(probe, null);
      if (anon.statusCode() != 401) {
        missing.add(pattern + ": anonymous got " + anon.statusCode());
      }
      HttpResponse<String> admin200 = server.get(probe, admin);
      if (admin200.statusCode() == 403 && json(admin200).get("error").asText().contains("no access rule")) {
        missing.add(pattern + ": no access rule");
      }
    }
    assertThat(missing).isEmpty();
  }
}
