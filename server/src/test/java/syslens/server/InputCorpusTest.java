package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on every text field of every route, the routes enumerated from the server's
 * routing as {@link AuthorizationMatrixTest} does: a route without an entry in {@link #INPUTS}
 * fails the test. Each field gets SQL injection strings, NUL and control characters, and a
 * string longer than its limit; each route with a body gets a body over the request limit.
 * Expected: never a 5xx; a refusal is a 4xx JSON error (for a too long field, naming the field
 * and what was expected); free text that is legal is stored and read back unchanged (the SQL is
 * parameterised); afterwards the metadata is intact (user count, admin login, audit chain) and
 * the oversized bodies were audited. Runs on H2 ({@link InputCorpusH2Test}) and PostgreSQL
 * ({@link InputCorpusPostgresTest}), which unlike H2 refuses NUL in text.
 */
abstract class InputCorpusTest {
  static final List<String> INJECTION = List.of("' OR '1'='1", "'; DROP TABLE users;--", "\" OR 1=1 --",
      "nul\u0000bell\u0007esc\u001bdel\u007f");
  /** Over every per-field limit the server sets for names and comments, under the 16 KiB body limit of the auth APIs. */
  static final int LONG = 10_000;
  static final int OVERSIZED_BODY = 2 * 1024 * 1024;

  enum Enc { URL, JSON }

  /**
   * One field of one route: {@code %s} in {@code path} (URL-encoded) or in {@code body} (a JSON
   * string literal) takes the corpus. {@code echo}: a GET that must show a legal value unchanged;
   * {@code unbounded}: no limit of its own below the URL or body limit (a long value may pass).
   */
  record Probe(String route, String method, String path, String body, String contentType, String field, Enc enc,
      String echo, boolean unbounded, String who) {
    Probe echo(String get) {
      return new Probe(route, method, path, body, contentType, field, enc, get, unbounded, who);
    }

    Probe noOwnLimit() {
      return new Probe(route, method, path, body, contentType, field, enc, echo, true, who);
    }

    /** Sent as {@code who} (a key of {@link #tokens}) instead of the admin. */
    Probe as(String who) {
      return new Probe(route, method, path, body, contentType, field, enc, echo, unbounded, who);
    }
  }

  static Probe path(String route, String method, String path, String field) {
    return new Probe(route, method, path, null, null, field, Enc.URL, null, false, "admin");
  }

  static Probe body(String route, String method, String path, String body, String field) {
    return new Probe(route, method, path, body, "application/json", field, Enc.JSON, null, false, "admin");
  }

  static Probe text(String route, String method, String path, String body, String contentType, String field) {
    return new Probe(route, method, path, body, contentType, field, Enc.JSON, null, false, "admin");
  }

  /** Routes that take no text input, with why. */
  static final Map<String, String> NO_INPUT = Map.ofEntries(
      Map.entry("/healthz", "no parameters"), Map.entry("/readyz", "no parameters"),
      Map.entry("/metrics", "no parameters"), Map.entry("/api/v1/me", "GET only, no parameters"),
      Map.entry("/api/v1/auth/oidc", "no parameters (SSO settings)"),
      Map.entry("/api/v1/auth/logout", "the body is ignored; ends the caller's session"),
      Map.entry("/api/v1/auth/logout-all", "the body is ignored; ends every session of the caller"),
      Map.entry("/api/v1/auth/totp/begin", "GET, no parameters"),
      Map.entry("/api/v1/admin/snapshot", "the body is ignored; writes a snapshot"),
      Map.entry("/api/v1/status/buildinfo", "no parameters"), Map.entry("/api/v1/status/runtimeinfo", "no parameters"),
      Map.entry("/api/v1/status/flags", "no parameters"), Map.entry("/api/v1/receivers", "GET, no parameters"),
      Map.entry("/api/v1/alerting/alerts", "GET, no parameters"),
      Map.entry("/api/v1/audit/verify", "GET, no parameters"),
      Map.entry("/api/v1/write", "binary protobuf (snappy); label text is checked by ingest: HttpIngestTest"));

  static final String FP = "0123456789abcdef";
  static final String SCHEDULE = "{\"name\": %s, \"cadence\": \"daily\", \"at\": %s, \"timezone\": %s, "
      + "\"kind\": \"utilization\", \"recipients\": [{\"address\": %s}]}";
  static final String RULE = "{\"name\": \"corpus\", \"interval\": \"1m\", \"rules\": [{\"alert\": \"A\", \"expr\": \"up == 0\", "
      + "\"annotations\": {\"summary\": %s}}]}";

  static final List<Probe> INPUTS = List.of(
      body("/api/v1/auth/login", "POST", "/api/v1/auth/login", "{\"username\": %s, \"password\": \"x\"}", "username"),
      body("/api/v1/auth/login", "POST", "/api/v1/auth/login", "{\"username\": \"corpus-nobody\", \"password\": %s}",
          "password"),
      body("/api/v1/auth/refresh", "POST", "/api/v1/auth/refresh", "{\"refreshToken\": %s}", "refreshToken"),
      path("/api/v1/auth/oidc/start", "GET", "/api/v1/auth/oidc/start?return_to=%s", "return_to"),
      path("/api/v1/auth/oidc/callback", "GET", "/api/v1/auth/oidc/callback?code=%s&state=x", "code"),
      body("/api/v1/auth/oidc/exchange", "POST", "/api/v1/auth/oidc/exchange", "{\"code\": %s}", "code"),
      body("/api/v1/auth/password", "POST", "/api/v1/auth/password",
          "{\"currentPassword\": %s, \"newPassword\": \"Another-passw0rd-long\"}", "currentPassword").as("user"),
      body("/api/v1/auth/password", "POST", "/api/v1/auth/password",
          "{\"currentPassword\": \"Corpus-passw0rd-long\", \"newPassword\": %s}", "newPassword").as("pwuser"),
      body("/api/v1/auth/totp/confirm", "POST", "/api/v1/auth/totp/confirm", "{\"code\": %s}", "code").as("user"),
      body("/api/v1/apikeys", "POST", "/api/v1/apikeys", "{\"name\": %s}", "name").echo("/api/v1/apikeys"),
      body("/api/v1/apikeys", "POST", "/api/v1/apikeys", "{\"name\": \"k\", \"scopes\": [%s]}", "scopes"),
      path("/api/v1/apikeys/{id}", "DELETE", "/api/v1/apikeys/%s", "id"),
      body("/api/v1/users", "POST", "/api/v1/users", "{\"username\": %s, \"password\": \"Corpus-passw0rd-long\"}",
          "username"),
      body("/api/v1/users", "POST", "/api/v1/users", "{\"username\": \"corpus-pw\", \"password\": %s}", "password"),
      body("/api/v1/users", "POST", "/api/v1/users",
          "{\"username\": \"corpus-lang\", \"password\": \"Corpus-passw0rd-long\", \"language\": %s}", "language"),
      path("/api/v1/users/{name}", "GET", "/api/v1/users/%s", "name"),
      body("/api/v1/users/{name}", "PATCH", "/api/v1/users/corpus-target", "{\"role\": %s}", "role"),
      body("/api/v1/users/{name}", "PATCH", "/api/v1/users/corpus-target", "{\"language\": %s}", "language"),
      body("/api/v1/users/{name}", "PATCH", "/api/v1/users/corpus-target", "{\"extraGrants\": [%s]}", "extraGrants"),
      body("/api/v1/users/{name}", "PATCH", "/api/v1/users/corpus-target", "{\"scopes\": [%s]}", "scopes"),
      path("/api/v1/users/{name}/{action}", "POST", "/api/v1/users/corpus-target/%s", "action"),
      body("/api/v1/roles", "POST", "/api/v1/roles", "{\"name\": %s, \"parents\": [\"viewer\"]}", "name"),
      path("/api/v1/roles/{name}", "GET", "/api/v1/roles/%s", "name"),
      body("/api/v1/roles/{name}", "PUT", "/api/v1/roles/corpus-role", "{\"parents\": [%s]}", "parents"),
      body("/api/v1/roles/{name}", "PUT", "/api/v1/roles/corpus-role", "{\"grants\": [%s]}", "grants"),
      body("/api/v1/roles/{name}", "PUT", "/api/v1/roles/corpus-role", "{\"scopes\": [%s]}", "scopes"),
      body("/api/v1/roles/{name}/{action}", "POST", "/api/v1/roles/corpus-role/check", "{\"denies\": [%s]}", "denies"),
      path("/api/v1/audit", "GET", "/api/v1/audit?actor=%s", "actor"),
      path("/api/v1/audit", "GET", "/api/v1/audit?action=%s", "action"),
      path("/api/v1/audit", "GET", "/api/v1/audit?before=%s", "before"),
      path("/api/v1/node-credentials", "GET", "/api/v1/node-credentials?node=%s", "node").noOwnLimit(),
      path("/api/v1/node-credentials/{id}", "GET", "/api/v1/node-credentials/%s", "id"),
      path("/api/v1/node-credentials/{id}/revoke", "POST", "/api/v1/node-credentials/%s/revoke", "id"),
      body("/api/v1/enrollment-tokens", "POST", "/api/v1/enrollment-tokens", "{\"name\": %s}", "name")
          .echo("/api/v1/enrollment-tokens"),
      path("/api/v1/enrollment-tokens/{id}", "DELETE", "/api/v1/enrollment-tokens/%s", "id"),
      path("/api/v1/node-certificates", "GET", "/api/v1/node-certificates?node=%s", "node"),
      path("/api/v1/node-certificates/{serial}/revoke", "POST", "/api/v1/node-certificates/%s/revoke", "serial"),
      path("/api/v1/nodes", "GET", "/api/v1/nodes?group=%s", "group").noOwnLimit(),
      path("/api/v1/fleet/overview", "GET", "/api/v1/fleet/overview?x=%s", "x").noOwnLimit(),
      path("/api/v1/fleet/overview", "GET", "/api/v1/fleet/overview?layout=%s", "layout"),
      path("/api/v1/nodes/{id}", "DELETE", "/api/v1/nodes/%s", "id"),
      body("/api/v1/nodes/{id}/group", "PUT", "/api/v1/nodes/corpus-node/group", "{\"group\": %s}", "group"),
      path("/api/v1/groups", "GET", "/api/v1/groups?x=%s", "x").noOwnLimit(),
      path("/api/v1/groups/", "GET", "/api/v1/groups/%s", "group"),
      path("/api/v1/config/", "GET", "/api/v1/config/groups/%s", "group"),
      body("/api/v1/config/", "PUT", "/api/v1/config/groups/corpus", "{\"interval\": %s}", "interval"),
      path("/api/v1/commands", "GET", "/api/v1/commands?node=%s", "node").noOwnLimit(),
      body("/api/v1/commands", "POST", "/api/v1/commands", "{\"action\": %s, \"node\": \"n1\"}", "action"),
      body("/api/v1/commands", "POST", "/api/v1/commands", "{\"action\": \"collect_now\", \"node\": %s}", "node"),
      path("/api/v1/query", "GET", "/api/v1/query?query=%s", "query").noOwnLimit(),
      path("/api/v1/query_range", "GET", "/api/v1/query_range?query=%s&start=0&end=60&step=15", "query").noOwnLimit(),
      path("/api/v1/format_query", "GET", "/api/v1/format_query?query=%s", "query").noOwnLimit(),
      path("/api/v1/query_exemplars", "GET", "/api/v1/query_exemplars?query=%s&start=0&end=60", "query").noOwnLimit(),
      path("/api/v1/labels", "GET", "/api/v1/labels?match[]=%s", "match[]").noOwnLimit(),
      path("/api/v1/label/{name}/values", "GET", "/api/v1/label/%s/values", "name"),
      path("/api/v1/series", "GET", "/api/v1/series?match[]=%s", "match[]").noOwnLimit(),
      path("/api/v1/metadata", "GET", "/api/v1/metadata?metric=%s", "metric").noOwnLimit(),
      text("/api/v1/import/prometheus", "POST", "/api/v1/import/prometheus", "corpus_metric{l=%s} 1\n", "text/plain",
          "label value").noOwnLimit(),
      path("/api/v1/vcenters", "GET", "/api/v1/vcenters?x=%s", "x").noOwnLimit(),
      body("/api/v1/vcenters", "POST", "/api/v1/vcenters", "{\"name\": %s, \"url\": \"https://127.0.0.1:1/sdk\", "
          + "\"user\": \"u\", \"password\": \"p\", \"enabled\": false}", "name").echo("/api/v1/vcenters"),
      body("/api/v1/vcenters", "POST", "/api/v1/vcenters", "{\"name\": \"v\", \"url\": \"https://127.0.0.1:1/sdk\", "
          + "\"user\": %s, \"password\": \"p\", \"enabled\": false}", "user"),
      path("/api/v1/vcenters/", "GET", "/api/v1/vcenters/%s", "id"),
      body("/api/v1/vcenters/", "PUT", "/api/v1/vcenters/corpus", "{\"name\": %s}", "name"),
      path("/api/v1/guest-credentials", "GET", "/api/v1/guest-credentials?x=%s", "x").noOwnLimit(),
      body("/api/v1/guest-credentials", "POST", "/api/v1/guest-credentials", "{\"name\": %s, \"kind\": \"ssh\", "
          + "\"vms\": \"corpus-*\", \"user\": \"u\", \"password\": \"p\", \"enabled\": false}", "name"),
      body("/api/v1/guest-credentials", "POST", "/api/v1/guest-credentials", "{\"name\": \"g\", \"kind\": \"ssh\", "
          + "\"vms\": %s, \"user\": \"u\", \"password\": \"p\", \"enabled\": false}", "vms"),
      body("/api/v1/guest-credentials", "POST", "/api/v1/guest-credentials", "{\"name\": \"g2\", \"kind\": \"ssh\", "
          + "\"vms\": \"corpus-*\", \"user\": %s, \"password\": \"p\", \"enabled\": false}", "user"),
      path("/api/v1/guest-credentials/", "GET", "/api/v1/guest-credentials/%s", "id"),
      body("/api/v1/guest-credentials/", "PUT", "/api/v1/guest-credentials/corpus", "{\"name\": %s}", "name"),
      path("/api/v1/dashboards", "GET", "/api/v1/dashboards?x=%s", "x").noOwnLimit(),
      body("/api/v1/dashboards", "POST", "/api/v1/dashboards", "{\"title\": %s, \"panels\": []}", "title")
          .echo("/api/v1/dashboards"),
      body("/api/v1/dashboards", "POST", "/api/v1/dashboards", "{\"title\": \"t\", \"panels\": [{\"id\": \"p\", "
          + "\"type\": \"stat\", \"queries\": [%s]}]}", "panels[0].queries[0]"),
      body("/api/v1/dashboards", "POST", "/api/v1/dashboards", "{\"title\": \"t\", \"variables\": [{\"name\": \"v\", "
          + "\"query\": %s}]}", "variables[0].query"),
      path("/api/v1/dashboards/{id}", "GET", "/api/v1/dashboards/%s", "id"),
      body("/api/v1/dashboards/{id}", "PUT", "/api/v1/dashboards/00000000-0000-0000-0000-000000000000",
          "{\"title\": %s, \"version\": 1}", "title"),
      path("/api/v1/reports", "GET", "/api/v1/reports?x=%s", "x").noOwnLimit(),
      body("/api/v1/reports", "POST", "/api/v1/reports", "{\"kind\": %s, \"period\": \"24h\", \"format\": \"csv\"}",
          "kind"),
      body("/api/v1/reports", "POST", "/api/v1/reports", "{\"kind\": \"utilization\", \"scope\": {\"kind\": \"group\", "
          + "\"value\": %s}, \"period\": \"24h\", \"format\": \"csv\"}", "scope.group"),
      body("/api/v1/reports", "POST", "/api/v1/reports", "{\"kind\": \"utilization\", \"period\": %s, "
          + "\"format\": \"csv\"}", "period"),
      path("/api/v1/reports/{id}", "GET", "/api/v1/reports/%s", "id"),
      path("/api/v1/reports/{id}/{what}", "GET", "/api/v1/reports/%s/file", "id"),
      path("/api/v1/report-schedules", "GET", "/api/v1/report-schedules?x=%s", "x").noOwnLimit(),
      body("/api/v1/report-schedules", "POST", "/api/v1/report-schedules", SCHEDULE.formatted("%s", "\"06:00\"",
          "\"UTC\"", "\"ops@example.org\""), "name"),
      body("/api/v1/report-schedules", "POST", "/api/v1/report-schedules", SCHEDULE.formatted("\"n\"", "%s",
          "\"UTC\"", "\"ops@example.org\""), "at"),
      body("/api/v1/report-schedules", "POST", "/api/v1/report-schedules", SCHEDULE.formatted("\"n\"", "\"06:00\"",
          "%s", "\"ops@example.org\""), "timezone"),
      body("/api/v1/report-schedules", "POST", "/api/v1/report-schedules", SCHEDULE.formatted("\"n\"", "\"06:00\"",
          "\"UTC\"", "%s"), "recipients[0]"),
      path("/api/v1/report-schedules/{id}", "GET", "/api/v1/report-schedules/%s", "id"),
      path("/api/v1/report-schedules/{id}/{what}", "POST", "/api/v1/report-schedules/%s/run", "id"),
      body("/api/v1/me/email", "PUT", "/api/v1/me/email", "{\"email\": %s}", "email"),
      path("/api/v1/silences", "GET", "/api/v1/silences?state=%s", "state"),
      body("/api/v1/silences", "POST", "/api/v1/silences", "{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\"}], "
          + "\"endsAt\": \"2099-01-01T00:00:00Z\", \"comment\": %s}", "comment").echo("/api/v1/silences"),
      body("/api/v1/silences", "POST", "/api/v1/silences", "{\"matchers\": [{\"name\": \"node\", \"value\": %s}], "
          + "\"endsAt\": \"2099-01-01T00:00:00Z\", \"comment\": \"c\"}", "value"),
      path("/api/v1/silences/{id}", "GET", "/api/v1/silences/%s", "id"),
      text("/api/v1/alerting/config", "PUT", "/api/v1/alerting/config",
          "route: {receiver: r}\nreceivers: [{name: r}, {name: %s}]\n", "application/yaml", "name"),
      path("/api/v1/alerting/config", "GET", "/api/v1/alerting/config?format=%s", "format"),
      path("/api/v1/notifications", "GET", "/api/v1/notifications?receiver=%s", "receiver").noOwnLimit(),
      path("/api/v1/notifications", "GET", "/api/v1/notifications?limit=%s", "limit"),
      path("/api/v1/alerts/{fingerprint}/ack", "GET", "/api/v1/alerts/%s/ack", "fingerprint"),
      body("/api/v1/alerts/{fingerprint}/ack", "POST", "/api/v1/alerts/" + FP + "/ack", "{\"comment\": %s}", "comment"),
      path("/api/v1/rules", "GET", "/api/v1/rules?type=%s", "type").noOwnLimit(),
      path("/api/v1/alerts", "GET", "/api/v1/alerts?x=%s", "x").noOwnLimit(),
      path("/api/v1/alerts/history", "GET", "/api/v1/alerts/history?rule=%s", "rule").noOwnLimit(),
      path("/api/v1/alerts/baseline", "GET", "/api/v1/alerts/baseline?rule=x&series=%s", "series"),
      path("/api/v1/alert-rules", "GET", "/api/v1/alert-rules?x=%s", "x").noOwnLimit(),
      body("/api/v1/alert-rules", "POST", "/api/v1/alert-rules", RULE, "annotations.summary")
          .echo("/api/v1/alert-rules").noOwnLimit(), // free text, bounded by the body limit (Prometheus has none)
      path("/api/v1/alert-rules/{group}", "GET", "/api/v1/alert-rules/%s", "group"),
      body("/api/v1/alert-rules/{group}", "PUT", "/api/v1/alert-rules/corpus", RULE.replace("%s", "\"s\"")
          .replace("\"up == 0\"", "%s"), "expr").noOwnLimit(), // PromQL: bounded by the body limit
      path("/api/v1/live", "GET", "/api/v1/live?token=%s", "token"),
      path("/api/", "GET", "/api/v1/%s", "path"));

  @TempDir static Path dir;
  static TestServer server;
  static String admin;
  static final Map<String, String> tokens = new java.util.HashMap<>();
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Starts the server on the metadata database {@code url} (null: the embedded H2) with the test's users. */
  static void startOn(String url) throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(1), url,
        // Ingest routes have limits of their own (32 MiB imports by default); 1 MiB here, so the
        // oversized-body probe is over every route's limit.
        b -> b.rateLimits(new syslens.server.auth.RateLimits(0, 0, 0, 1_000)).ingestLimits(
            new syslens.server.ingest.HttpIngestLimits(1024 * 1024, 4 * 1024 * 1024, 1024 * 1024)));
    admin = server.login();
    for (String u : List.of("corpus-user", "corpus-pwuser", "corpus-target")) {
      assertThat(server.post("/api/v1/users", "{\"username\":\"" + u + "\",\"password\":\"Corpus-passw0rd-long\","
          + "\"role\":\"viewer\",\"mustChangePassword\":false}", admin).statusCode()).isEqualTo(201);
    }
    tokens.put("admin", admin);
    for (String u : List.of("user", "pwuser")) {
      tokens.put(u, TestServer.JSON.readTree(server.post("/api/v1/auth/login", "{\"username\":\"corpus-" + u
          + "\",\"password\":\"Corpus-passw0rd-long\"}", null).body()).path("token").asText());
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Test
  void routes_everyRouteHasAnInputEntry() {
    Set<String> covered = new TreeSet<>(NO_INPUT.keySet());
    INPUTS.forEach(p -> covered.add(p.route()));
    Set<String> missing = new TreeSet<>(AuthorizationMatrixTest.routes(server));
    missing.removeAll(covered);
    assertThat(missing).as("routes without an entry in InputCorpusTest.INPUTS or NO_INPUT").isEmpty();
    Set<String> stale = new TreeSet<>(covered);
    stale.removeAll(AuthorizationMatrixTest.routes(server));
    assertThat(stale).as("entries for routes the server no longer serves").isEmpty();
  }

  @Test
  void corpus_everyTextField_refusedCleanlyOrStoredVerbatim_metadataIntact() throws Exception {
    int usersBefore = TestServer.JSON.readTree(server.get("/api/v1/users", admin).body()).path("data").size();
    int created = 0;
    List<String> wrong = new ArrayList<>();
    for (Probe p : INPUTS) {
      List<String> values = new ArrayList<>(INJECTION);
      values.add("L".repeat(LONG));
      for (String v : values) {
        boolean isLong = v.length() == LONG;
        String what = p.method() + " " + p.path() + " " + p.field() + "=" + (isLong ? "<" + LONG + " chars>" : show(v));
        Answer r = send(p, v);
        int st = r.status();
        if (st >= 500) {
          wrong.add(what + ": " + st + " " + cut(r.body()));
          continue;
        }
        if (st >= 400) {
          String error = errorOf(r.body());
          if (error == null) {
            wrong.add(what + ": " + st + " without a JSON error: " + cut(r.body()));
          } else if (isLong && !p.unbounded() && st != 401 && st != 404 && !(error.contains(p.field())
              && error.contains("expected"))) {
            wrong.add(what + ": " + st + " does not name the field and its limit: " + cut(error));
          }
          continue;
        }
        if (p.route().equals("/api/v1/users") && p.method().equals("POST")) {
          created++;
        }
        if (isLong && !p.unbounded()) {
          wrong.add(what + ": " + st + ", accepted (expected: a limit)");
        } else if (!isLong && p.echo() != null) {
          String shown = server.get(p.echo(), admin).body();
          String literal = TestServer.JSON.writeValueAsString(v);
          if (!shown.contains(literal.substring(1, literal.length() - 1))) {
            wrong.add(what + ": stored but " + p.echo() + " does not show it unchanged");
          }
        }
      }
    }
    // The metadata survived: same users (plus those the corpus legally created), admin logs in, audit chain intact.
    JsonNode users = TestServer.JSON.readTree(server.get("/api/v1/users", admin).body()).path("data");
    assertThat(users.size()).isEqualTo(usersBefore + created);
    assertThat(server.login()).isNotEmpty();
    assertThat(server.get("/api/v1/audit/verify", admin).body()).contains("\"ok\":true");
    assertThat(wrong).isEmpty();
  }

  @Test
  void oversizedBody_everyRouteWithABody_413NamingTheLimitAndAudited() throws Exception {
    Set<String> targets = new LinkedHashSet<>();
    for (Probe p : INPUTS) {
      if (p.body() != null) {
        targets.add(p.method() + " " + p.path());
      }
    }
    String big = "{\"x\":\"" + "x".repeat(OVERSIZED_BODY) + "\"}";
    List<String> wrong = new ArrayList<>();
    for (String t : targets) {
      String[] mp = t.split(" ", 2);
      String r = raw(mp[0], mp[1], big, "Content-Type: application/json\r\nAuthorization: Bearer " + admin);
      if (!r.startsWith("HTTP/1.1 413") || !r.contains("expected: at most")) {
        wrong.add(t + ": " + cut(r));
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(server.get("/api/v1/audit?action=request.too_large&limit=100", admin).body())
        .contains("\"source\":\"127.0.0.1\"", "reason: body_over_limit");
  }

  record Answer(int status, String body) {}

  static Answer send(Probe p, String v) throws Exception {
    String path = p.path();
    String body = p.body();
    if (p.enc() == Enc.URL) {
      path = path.replace("%s", URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    } else {
      body = body.replace("%s", TestServer.JSON.writeValueAsString(v));
    }
    if (p.route().equals("/api/v1/live")) { // a WebSocket upgrade, which the JDK's HttpClient cannot send
      String r = raw("GET", path, "", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
      int head = r.indexOf("\r\n\r\n");
      return new Answer(Integer.parseInt(r.substring(9, 12)), head < 0 ? "" : r.substring(head + 4));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + tokens.get(p.who()))
        .method(p.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (p.contentType() != null) {
      b.header("Content-Type", p.contentType());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** A request over plain HTTP/1.1 that keeps reading when the server answers before the body is sent. */
  static String raw(String method, String path, String body, String headers) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n"
          + (headers.contains("Upgrade") ? "" : "Connection: close\r\n") + "Content-Length: " + b.length + "\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      try {
        out.write(b);
        out.flush();
      } catch (IOException e) {
        // answered and closed early: read the answer
      }
      // The head, then as many bytes as it announces (an upgrade request's connection may stay open).
      java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          return head.toString();
        }
        head.append((char) c);
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      byte[] rest = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : in.readAllBytes();
      return head + new String(rest, StandardCharsets.UTF_8);
    }
  }

  static String errorOf(String body) {
    try {
      JsonNode n = TestServer.JSON.readTree(body);
      String e = n.path("error").asText(n.path("message").asText(""));
      return e.isEmpty() ? null : e;
    } catch (IOException e) {
      return null;
    }
  }

  static String show(String v) {
    StringBuilder b = new StringBuilder();
    v.chars().forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
    return b.toString();
  }

  static String cut(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
