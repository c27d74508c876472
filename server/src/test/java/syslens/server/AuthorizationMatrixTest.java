package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.server.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * The authorization matrix: every route the server serves, enumerated from its routing (not a
 * hand-kept list), called as each kind of principal; the expected outcome of every cell is
 * declared once, in {@link #ROWS}. A route without a row fails the test, so a new endpoint cannot
 * ship without a decision on who may call it.
 *
 * <p>Principals: anonymous; the built-in roles viewer, operator, admin and auditor; a team-scoped
 * user (a role with parent viewer and the scope {@code {group="team-a"}}: which data it sees is
 * ScopeTest's business, which endpoints it may call is this table's); and tokens
 * that must be dead: a disabled user's, a deleted user's, and one revoked by "log out
 * everywhere". A cell is {@code allow} (the request passes authentication and authorization: any
 * status but 401 and 403, since probes carry placeholder ids and bodies) or {@code deny} (401 for
 * anonymous and dead tokens, 403 for a live principal without the permission).
 */
class AuthorizationMatrixTest {
  static final String PW = "Matrix-passw0rd-long";
  static final String AUTHENTICATED = "viewer operator admin auditor team";
  static final String READERS = "viewer operator admin auditor team";
  static final String ALERT_READERS = "viewer operator admin team";
  static final String OPERATORS = "operator admin";
  static final String ADMIN = "admin";
  static final String PUBLIC = "public";

  /** One row: methods and a probe path for a route pattern, and who is allowed. */
  record Row(String route, String methods, String probe, String allowed, boolean endsSession) {}

  static Row row(String route, String methods, String allowed) {
    return new Row(route, methods, route.replaceAll("\\{[^}]+}", "x"), allowed, false);
  }

  static Row row(String route, String methods, String probe, String allowed) {
    return new Row(route, methods, probe, allowed, false);
  }

  static Row endsSession(String route, String methods) {
    return new Row(route, methods, route, AUTHENTICATED, true);
  }

  static final List<Row> ROWS = List.of(
      row("/healthz", "GET", PUBLIC),
      row("/readyz", "GET", PUBLIC),
      row("/api/v1/auth/login", "POST", PUBLIC),
      row("/api/v1/auth/refresh", "POST", PUBLIC),
      row("/api/v1/auth/oidc", "GET", PUBLIC),
      row("/api/v1/auth/oidc/start", "GET", PUBLIC),
      row("/api/v1/auth/oidc/callback", "GET", PUBLIC),
      row("/api/v1/auth/oidc/exchange", "POST", PUBLIC),
      endsSession("/api/v1/auth/logout", "POST"),
      endsSession("/api/v1/auth/logout-all", "POST"),
      row("/api/v1/auth/password", "POST", AUTHENTICATED),
      row("/api/v1/auth/totp/begin", "GET", AUTHENTICATED),
      row("/api/v1/auth/totp/confirm", "POST", AUTHENTICATED),
      row("/api/v1/me", "GET", AUTHENTICATED),
      row("/api/v1/me/email", "GET PUT", AUTHENTICATED),
      row("/api/v1/apikeys", "GET POST", AUTHENTICATED),
      row("/api/v1/apikeys/{id}", "DELETE", AUTHENTICATED),
      row("/api/v1/users", "GET POST", ADMIN),
      row("/api/v1/users/{name}", "GET PATCH DELETE", ADMIN),
      row("/api/v1/users/{name}/{action}", "GET POST", "/api/v1/users/x/unlock", ADMIN),
      row("/api/v1/roles", "GET", ADMIN),
      row("/api/v1/roles", "POST", ADMIN),
      row("/api/v1/roles/{name}", "GET", ADMIN),
      row("/api/v1/roles/{name}", "PUT DELETE", ADMIN),
      row("/api/v1/roles/{name}/{action}", "POST", "/api/v1/roles/x/check", ADMIN),
      row("/api/v1/audit", "GET", "admin auditor"),
      row("/api/v1/audit/verify", "GET", "admin auditor"),
      row("/api/v1/node-credentials", "GET", READERS),
      row("/api/v1/node-credentials/{id}", "GET", "/api/v1/node-credentials/x", ADMIN),
      row("/api/v1/node-credentials/{id}/revoke", "POST", ADMIN),
      row("/api/v1/admin/snapshot", "POST", ADMIN),
      row("/api/v1/enrollment-tokens", "GET", READERS),
      row("/api/v1/enrollment-tokens", "POST", ADMIN),
      row("/api/v1/enrollment-tokens/{id}", "DELETE", ADMIN),
      row("/api/v1/node-certificates", "GET", READERS),
      row("/api/v1/node-certificates/{serial}/revoke", "POST", ADMIN),
      row("/api/v1/nodes", "GET", READERS),
      row("/api/v1/fleet/overview", "GET", READERS),
      row("/api/v1/dashboards", "GET", READERS),
      row("/api/v1/dashboards", "POST", OPERATORS),
      row("/api/v1/dashboards/{id}", "GET", READERS),
      row("/api/v1/dashboards/{id}", "PUT DELETE", OPERATORS),
      row("/api/v1/nodes/{id}", "DELETE", ADMIN),
      row("/api/v1/nodes/{id}/group", "PUT", ADMIN),
      row("/api/v1/groups", "GET", READERS),
      row("/api/v1/groups/", "GET", "/api/v1/groups/x", READERS),
      row("/api/v1/config/", "GET", "/api/v1/config/groups/x", READERS),
      row("/api/v1/config/", "PUT DELETE", "/api/v1/config/groups/x", ADMIN),
      row("/api/v1/commands", "GET", READERS),
      row("/api/v1/commands", "POST", ADMIN),
      row("/api/v1/query", "GET POST", "/api/v1/query?query=up", READERS),
      row("/api/v1/query_range", "GET POST", READERS),
      row("/api/v1/format_query", "GET POST", READERS),
      row("/api/v1/query_exemplars", "GET POST", READERS),
      row("/api/v1/labels", "GET POST", READERS),
      row("/api/v1/label/{name}/values", "GET", READERS),
      row("/api/v1/series", "GET POST", READERS),
      row("/api/v1/metadata", "GET", READERS),
      row("/api/v1/status/buildinfo", "GET", READERS),
      row("/api/v1/status/runtimeinfo", "GET", READERS),
      row("/api/v1/status/flags", "GET", READERS),
      row("/api/v1/write", "POST", OPERATORS),
      row("/api/v1/import/prometheus", "POST", OPERATORS),
      row("/api/v1/vcenters", "GET", READERS),
      row("/api/v1/vcenters", "POST", ADMIN),
      row("/api/v1/vcenters/", "GET", "/api/v1/vcenters/tree", READERS),
      row("/api/v1/vcenters/", "PUT DELETE", "/api/v1/vcenters/x", ADMIN),
      row("/api/v1/guest-credentials", "GET", READERS),
      row("/api/v1/guest-credentials", "POST", ADMIN),
      row("/api/v1/guest-credentials/", "GET", "/api/v1/guest-credentials/status", READERS),
      row("/api/v1/guest-credentials/", "GET PUT DELETE", "/api/v1/guest-credentials/x", ADMIN),
      row("/api/v1/guest-credentials/", "POST", "/api/v1/guest-credentials/collect", ADMIN),
      row("/api/v1/silences", "GET", ALERT_READERS),
      row("/api/v1/silences", "POST", OPERATORS),
      row("/api/v1/silences/{id}", "GET", ALERT_READERS),
      row("/api/v1/silences/{id}", "DELETE", OPERATORS),
      row("/api/v1/receivers", "GET", ALERT_READERS),
      row("/api/v1/alerting/config", "GET PUT", OPERATORS),
      row("/api/v1/alerting/alerts", "GET", ALERT_READERS),
      row("/api/v1/notifications", "GET", ALERT_READERS),
      row("/api/v1/alerts/{fingerprint}/ack", "GET", ALERT_READERS),
      row("/api/v1/alerts/{fingerprint}/ack", "POST DELETE", OPERATORS),
      row("/api/v1/rules", "GET", ALERT_READERS),
      row("/api/v1/alerts", "GET", ALERT_READERS),
      row("/api/v1/alerts/history", "GET", ALERT_READERS),
      row("/api/v1/alerts/baseline", "GET", ALERT_READERS),
      row("/api/v1/reports", "GET", READERS),
      row("/api/v1/reports", "POST", OPERATORS),
      row("/api/v1/reports/{id}", "GET", READERS),
      row("/api/v1/reports/{id}/{what}", "GET", READERS),
      row("/api/v1/report-schedules", "GET", READERS),
      row("/api/v1/report-schedules", "POST", OPERATORS),
      row("/api/v1/report-schedules/{id}", "GET", READERS),
      row("/api/v1/report-schedules/{id}", "PUT DELETE", OPERATORS),
      row("/api/v1/report-schedules/{id}/{what}", "POST", "/api/v1/report-schedules/x/run", OPERATORS),
      row("/api/v1/alert-rules", "GET", ALERT_READERS),
      row("/api/v1/alert-rules", "POST", OPERATORS),
      row("/api/v1/alert-rules/{group}", "GET", ALERT_READERS),
      row("/api/v1/alert-rules/{group}", "PUT DELETE", OPERATORS),
      row("/api/v1/live", "GET", READERS),
      row("/metrics", "GET", READERS),
      // Unknown API paths: 404 for anyone authenticated, 401 for anyone else.
      row("/api/", "GET", "/api/v1/no-such-endpoint", AUTHENTICATED));

  static final List<String> LIVE = List.of("viewer", "operator", "admin", "auditor", "team");
  static final List<String> DEAD = List.of("anonymous", "disabled", "deleted", "revoked");

  @TempDir static Path dir;
  static TestServer server;
  static final Map<String, String> tokens = new LinkedHashMap<>();
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    // About 20 logins set the principals up: more than the default login budget of one address.
    server = new TestServer(dir, Duration.ofSeconds(1), null,
        b -> b.rateLimits(new syslens.server.auth.RateLimits(0, 0, 0, 1_000)));
    String admin = server.login();
    tokens.put("admin", admin);
    assertThat(send("PUT", "/api/v1/roles/team", "{\"parents\":[\"viewer\"],\"scopes\":[\"{group=\\\"team-a\\\"}\"]}",
        admin).statusCode()).isEqualTo(200);
    for (String role : List.of("viewer", "operator", "auditor", "team")) {
      tokens.put(role, userToken("m-" + role, role, admin));
    }
    for (String role : LIVE) {
      userToken("x-" + role, role, admin); // for the rows that end sessions ("log out everywhere")
    }
    tokens.put("anonymous", null);
    String disabled = userToken("m-disabled", "operator", admin);
    assertThat(send("PATCH", "/api/v1/users/m-disabled", "{\"disabled\": true}", admin).statusCode()).isEqualTo(200);
    tokens.put("disabled", disabled);
    String deleted = userToken("m-deleted", "operator", admin);
    assertThat(send("DELETE", "/api/v1/users/m-deleted", null, admin).statusCode()).isEqualTo(200);
    tokens.put("deleted", deleted);
    String revoked = userToken("m-revoked", "operator", admin);
    assertThat(send("POST", "/api/v1/auth/logout-all", "{}", revoked).statusCode()).isEqualTo(200);
    tokens.put("revoked", revoked);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String userToken(String name, String role, String admin) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/users", "{\"username\":\"" + name + "\",\"password\":\"" + PW
        + "\",\"role\":\"" + role + "\",\"mustChangePassword\":false}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return login(name);
  }

  static String login(String name) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/auth/login",
        "{\"username\":\"" + name + "\",\"password\":\"" + PW + "\"}", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.JSON.readTree(r.body()).path("token").asText();
  }

  static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The route patterns the server serves (HTTP; the agent's gRPC service is checked below). */
  static Set<String> routes() {
    return routes(server);
  }

  /** The HTTP route patterns {@code s} serves, from its routing ({@code {name}} for path parameters). */
  static Set<String> routes(TestServer s) {
    Set<String> out = new TreeSet<>();
    for (ServiceConfig sc : s.server.armeria().serviceConfigs()) {
      String p = sc.route().patternString();
      if (p.startsWith("/syslens.agent") || p.startsWith("/grpc")) {
        continue; // gRPC: agent credentials, not user tokens (agentStream_userTokenRefused)
      }
      p = p.replaceAll(":([A-Za-z]+)", "{$1}"); // Armeria writes path parameters as :name
      out.add(p.endsWith("/*") ? p.substring(0, p.length() - 1) : p);
    }
    out.remove("/"); // static dashboard assets: public by design (DashboardBrowserTest)
    return out;
  }

  @Test
  void routes_everyRouteHasARow() {
    Set<String> declared = new TreeSet<>();
    ROWS.forEach(r -> declared.add(r.route()));
    Set<String> missing = new TreeSet<>(routes());
    missing.removeAll(declared);
    assertThat(missing).as("routes without a row in AuthorizationMatrixTest.ROWS").isEmpty();
    Set<String> stale = new TreeSet<>(declared);
    stale.removeAll(routes());
    assertThat(stale).as("rows for routes the server no longer serves").isEmpty();
  }

  @Test
  void matrix_everyCellAsDeclared() throws Exception {
    List<String> wrong = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    for (Row row : ROWS) {
      for (String method : row.methods().split(" ")) {
        table.append(String.format("%-7s %-40s", method, row.probe()));
        for (String who : concat(LIVE, DEAD)) {
          boolean pub = row.allowed().equals(PUBLIC);
          boolean allow = pub || (LIVE.contains(who) && List.of(row.allowed().split(" ")).contains(who));
          String token = tokens.get(who);
          if (row.endsSession() && allow && token != null) {
            token = login("x-" + who); // another user of that role: the shared token stays alive
          }
          HttpResponse<String> r;
          try {
            r = send(method, row.probe(), method.equals("GET") || method.equals("DELETE") ? null : "{}", token);
          } catch (java.io.IOException e) {
            wrong.add(method + " " + row.probe() + " as " + who + ": " + e);
            continue;
          }
          int st = r.statusCode();
          table.append(String.format(" %s=%d", who, st));
          boolean ok = allow ? st != 401 && st != 403
              : st == (LIVE.contains(who) ? 403 : 401);
          if (!ok) {
            wrong.add(method + " " + row.probe() + " as " + who + ": " + st + " (expected: "
                + (allow ? "allowed" : LIVE.contains(who) ? "403" : "401") + ") " + abbreviate(r.body()));
          }
        }
        table.append('\n');
      }
    }
    System.out.println("authorization matrix (status per principal):\n" + table);
    assertThat(wrong).isEmpty();
  }

  @Test
  void agentStream_userTokenRefused() throws Exception {
    Agent agent = Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .enrollmentToken(tokens.get("admin")).nodeId("matrix-node").stateDir(dir.resolve("agent"))
        .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
    try {
      agent.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.state() == AgentState.STOPPED_FATAL);
      assertThat(agent.state()).as("a user's token is not an agent credential").isEqualTo(AgentState.STOPPED_FATAL);
    } finally {
      agent.close();
    }
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }
}
