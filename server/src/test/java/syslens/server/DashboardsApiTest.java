package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Custom dashboards over REST on a real server: per-user storage, sharing, versions, limits, audit, restart. */
class DashboardsApiTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static String admin;
  static String bob;
  static String viewer;
  static final String PW = "Dashboards-passw0rd-long";
  static final String DOC = "{\"title\": \"Hosts\", \"shared\": %s, \"variables\": [{\"name\": \"node\", "
      + "\"query\": \"label_values(up, node)\"}], \"panels\": [{\"id\": \"p1\", \"type\": \"timeseries\", "
      + "\"title\": \"CPU\", \"queries\": [\"rate(node_cpu_seconds_total{node=\\\"$node\\\"}[5m])\"], "
      + "\"unit\": \"percent\", \"gridPos\": {\"x\": 0, \"y\": 0, \"w\": 12, \"h\": 8}}, {\"id\": \"p2\", "
      + "\"type\": \"stat\", \"queries\": [\"count(up)\"]}]%s}";

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), Duration.ofSeconds(10));
    admin = server.login();
    bob = user("bob", "operator");
    viewer = user("vera", "viewer");
  }

  static String user(String name, String role) throws Exception {
    HttpResponse<String> u = server.post("/api/v1/users", "{\"username\":\"" + name + "\",\"password\":\"" + PW
        + "\",\"role\":\"" + role + "\",\"mustChangePassword\":false}", admin);
    assertThat(u.statusCode()).as(u.body()).isEqualTo(201);
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"" + name + "\",\"password\":\""
        + PW + "\"}", null);
    return TestServer.JSON.readTree(r.body()).get("token").asText();
  }

  @AfterAll
  static void stop() {
    server.server.close();
  }

  static JsonNode data(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body()).path("data");
  }

  @Test
  void create_storedPerUserNormalisedAndAudited_otherUsersSeeOnlyShared() throws Exception {
    HttpResponse<String> mine = server.post("/api/v1/dashboards", DOC.formatted("false", ""), bob);
    assertThat(mine.statusCode()).as(mine.body()).isEqualTo(201);
    JsonNode d = data(mine);
    String id = d.get("id").asText();
    assertThat(d.get("owner").asText()).isEqualTo("bob");
    assertThat(d.get("version").asLong()).isEqualTo(1);
    assertThat(d.at("/dashboard/panels/1/gridPos/x").asInt()).isEqualTo(12); // defaults filled in
    assertThat(d.at("/dashboard/schemaVersion").asInt()).isEqualTo(1);

    assertThat(server.get("/api/v1/dashboards/" + id, admin).statusCode()).isEqualTo(404);
    assertThat(data(server.get("/api/v1/dashboards", admin)).toString()).doesNotContain(id);

    HttpResponse<String> shared = server.post("/api/v1/dashboards", DOC.formatted("true", ""), bob);
    String sharedId = data(shared).get("id").asText();
    assertThat(data(server.get("/api/v1/dashboards", viewer)).toString()).contains(sharedId).doesNotContain(id);
    assertThat(data(server.get("/api/v1/dashboards/" + sharedId, viewer)).at("/dashboard/title").asText())
        .isEqualTo("Hosts");
    // Shared is readable, not writable, by others.
    HttpResponse<String> put = server.put("/api/v1/dashboards/" + sharedId, DOC.formatted("true", ", \"version\": 1"), admin);
    assertThat(put.statusCode()).isEqualTo(403);
    assertThat(put.body()).contains("belongs to bob");
    assertThat(server.delete("/api/v1/dashboards/" + sharedId, admin).statusCode()).isEqualTo(403);
    // A viewer may read dashboards but not save one.
    assertThat(server.post("/api/v1/dashboards", DOC.formatted("false", ""), viewer).statusCode()).isEqualTo(403);
    assertThat(server.get("/api/v1/audit?action=dashboard.create", admin).body()).contains(id, sharedId);
  }

  @Test
  void put_versionChecked_conflictWhenSavedSince_survivesRestart() throws Exception {
    String id = data(server.post("/api/v1/dashboards", DOC.formatted("false", ""), bob)).get("id").asText();
    HttpResponse<String> noVersion = server.put("/api/v1/dashboards/" + id, DOC.formatted("false", ""), bob);
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.body()).contains("version: missing");
    HttpResponse<String> ok = server.put("/api/v1/dashboards/" + id,
        DOC.formatted("false", ", \"version\": 1").replace("\"Hosts\"", "\"Hosts 2\""), bob);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(data(ok).get("version").asLong()).isEqualTo(2);
    HttpResponse<String> stale = server.put("/api/v1/dashboards/" + id, DOC.formatted("false", ", \"version\": 1"), bob);
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(stale.body()).contains("version: 1 (expected: 2");

    server.restart();
    bob = TestServer.JSON.readTree(server.post("/api/v1/auth/login", "{\"username\":\"bob\",\"password\":\"" + PW
        + "\"}", null).body()).get("token").asText();
    JsonNode after = data(server.get("/api/v1/dashboards/" + id, bob));
    assertThat(after.at("/dashboard/title").asText()).isEqualTo("Hosts 2");
    assertThat(server.delete("/api/v1/dashboards/" + id, bob).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/dashboards/" + id, bob).statusCode()).isEqualTo(404);
  }

  @Test
  void post_badDocuments_400NamingTheField() throws Exception {
    String[][] cases = {
        {"{\"title\": \"x\", \"schemaVersion\": 7}", "schemaVersion: 7 (expected: 1)"},
        {"{\"panels\": []}", "title: missing"},
        {"{\"title\": \"x\", \"panels\": [{\"id\": \"a\", \"type\": \"sparkles\"}]}", "panels[0].type: \\\"sparkles\\\" (expected: one of"},
        {"{\"title\": \"x\", \"panels\": [{\"id\": \"a\", \"type\": \"stat\", \"queries\": [\"" + "x".repeat(5000) + "\"]}]}",
            "panels[0].queries[0]: 5000 characters (expected: at most 4096)"},
        {"{\"title\": \"x\", \"panels\": [{\"id\": \"a\", \"type\": \"stat\", \"gridPos\": {\"x\": 20, \"w\": 12}}]}",
            "panels[0].gridPos.x: 20 with w 12 (expected: x + w <= 24)"},
        {"{\"title\": \"x\", \"variables\": [{\"name\": \"1bad\", \"query\": \"q\"}]}", "variables[0].name: \\\"1bad\\\""},
        {"{\"title\": \"x\", \"panels\": " + "[" + "{\"id\": \"a\", \"type\": \"stat\"},".repeat(50) + "{\"id\": \"a\", \"type\": \"stat\"}]}",
            "panels: 51 entries (expected: at most 50)"},
        {"{\"title\": ", "malformed JSON"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = server.post("/api/v1/dashboards", c[0], bob);
      assertThat(r.statusCode()).as(c[1]).isEqualTo(400);
      assertThat(r.body()).as(c[0].length() > 200 ? c[1] : c[0]).contains(c[1]);
    }
    HttpResponse<String> big = server.post("/api/v1/dashboards", "{\"title\": \"" + "x".repeat(300 * 1024) + "\"}", bob);
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("262144");
  }
}
