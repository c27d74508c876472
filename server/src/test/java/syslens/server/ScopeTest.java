package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;
import syslens.alerting.Alert;
import syslens.storage.Labels;

/**
 * Resource scopes end to end: two teams' agents (labels group=team-a / team-b) on a real server;
 * alice holds role team-a (operator, scope {group="team-a"}) and never sees team-b's series,
 * label values, nodes, live updates, alerts, history or silences, whatever the PromQL; admin
 * sees both.
 */
class ScopeTest {
  static final String PW = "Tr0ub4dor-and-3x";
  @TempDir static Path dir;
  static TestServer server;
  static String admin;
  static String alice;
  static Agent a1;
  static Agent b1;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(1));
    admin = server.login();
    a1 = agent("a1", "team-a");
    b1 = agent("b1", "team-b");
    a1.start();
    b1.start();
    HttpResponse<String> role = send("PUT", "/api/v1/roles/team-a", "{\"parents\":[\"operator\"],"
        + "\"scopes\":[\"{group=\\\"team-a\\\"}\"]}", admin);
    assertThat(role.statusCode()).as(role.body()).isEqualTo(200);
    HttpResponse<String> user = server.post("/api/v1/users", "{\"username\":\"alice\",\"password\":\"" + PW
        + "\",\"role\":\"team-a\",\"mustChangePassword\":false}", admin);
    assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
    HttpResponse<String> login = server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\"" + PW
        + "\"}", null);
    alice = TestServer.JSON.readTree(login.body()).get("token").asText();
    HttpResponse<String> rules = send("PUT", "/api/v1/alert-rules/everyone", """
        {"name": "everyone", "interval": "1s", "rules": [{"alert": "NodeUp", "expr": "up == 1"}]}""", admin);
    assertThat(rules.statusCode()).as(rules.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> a1.state() == AgentState.CONNECTED
        && b1.state() == AgentState.CONNECTED && nodes(query(admin, "count by (node) (up)")).containsAll(Set.of("a1", "b1")));
  }

  @AfterAll
  static void stop() {
    a1.close();
    b1.close();
    server.close();
  }

  private static Agent agent(String id, String group) {
    return Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .enrollmentToken(TestServer.TOKEN).nodeId(id).label("group", group).stateDir(dir.resolve("state-" + id))
        .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
  }

  private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.JSON.readTree(r.body());
  }

  private static JsonNode query(String token, String promql) throws Exception {
    return json(server.get("/api/v1/query?query=" + TestServer.enc(promql), token)).at("/data/result");
  }

  /** The values of label {@code node} over an instant vector or series list. */
  private static Set<String> nodes(JsonNode result) {
    Set<String> out = new TreeSet<>();
    result.forEach(r -> out.add(r.has("metric") ? r.at("/metric/node").asText() : r.path("node").asText()));
    return out;
  }

  private static Set<String> values(JsonNode result, String label) {
    Set<String> out = new TreeSet<>();
    result.forEach(r -> out.add(r.at("/metric/" + label).asText()));
    return out;
  }

  @Test
  void promql_tricks_neverRevealAnotherTeamsSeries() throws Exception {
    JsonNode everything = query(alice, "{__name__=~\".+\"}");
    assertThat(everything.size()).isGreaterThan(10);
    assertThat(values(everything, "group")).containsExactly("team-a");
    assertThat(nodes(query(alice, "count by (node) ({__name__=~\".+\"})"))).containsExactly("a1");
    assertThat(nodes(query(admin, "count by (node) ({__name__=~\".+\"})"))).contains("a1", "b1");
    assertThat(values(query(alice, "count by (group) ({group=~\"team-.*\"})"), "group")).containsExactly("team-a");
    assertThat(values(query(alice, "label_replace(up, \"g\", \"$1\", \"group\", \"(.*)\")"), "g")).containsExactly("team-a");
    assertThat(query(alice, "group by (node) (up{node=\"b1\"})").size()).isZero();
    assertThat(query(alice, "up{group=\"team-b\"} or up{node=~\"b.*\"}").size()).isZero();
    // absent() answers as if team-b's series did not exist; admin sees that they do.
    assertThat(query(alice, "absent(up{node=\"b1\"})").size()).isEqualTo(1);
    assertThat(query(admin, "absent(up{node=\"b1\"})").size()).isZero();
    long now = System.currentTimeMillis();
    JsonNode range = server.queryRange(alice, "sum by (node) (up)", now - 30_000, now, "1s").at("/data/result");
    assertThat(nodes(range)).containsExactly("a1");
  }

  @Test
  void metadata_seriesLabelsAndValues_onlyFromScope() throws Exception {
    JsonNode series = json(server.get("/api/v1/series?match[]=" + TestServer.enc("{__name__=~\"up|node_.*\"}"), alice))
        .get("data");
    assertThat(series.size()).isGreaterThan(0);
    assertThat(nodes(series)).containsExactly("a1");
    JsonNode nodeValues = json(server.get("/api/v1/label/node/values", alice)).get("data");
    assertThat(nodeValues).extracting(JsonNode::asText).containsExactly("a1");
    assertThat(json(server.get("/api/v1/label/group/values", alice)).get("data")).extracting(JsonNode::asText)
        .containsExactly("team-a");
    assertThat(json(server.get("/api/v1/label/node/values", admin)).get("data")).extracting(JsonNode::asText)
        .contains("a1", "b1");
    assertThat(json(server.get("/api/v1/labels", alice)).get("data")).extracting(JsonNode::asText)
        .contains("__name__", "group", "node");
    assertThat(json(server.get("/api/v1/label/node/values?match[]=" + TestServer.enc("{node=\"b1\"}"), alice))
        .get("data")).isEmpty();
  }

  @Test
  void nodes_andEffectivePermissions_showTheScope() throws Exception {
    assertThat(json(server.get("/api/v1/nodes", alice)).get("data")).extracting(n -> n.get("id").asText())
        .containsExactly("a1");
    assertThat(json(server.get("/api/v1/nodes", admin)).get("data")).extracting(n -> n.get("id").asText())
        .contains("a1", "b1");
    JsonNode fleet = json(server.get("/api/v1/fleet/overview", alice)).get("data");
    assertThat(fleet.at("/nodes/id")).extracting(JsonNode::asText).containsExactly("a1");
    assertThat(fleet.get("total").asInt()).isEqualTo(1);
    assertThat(fleet.at("/summary/status/online").asInt() + fleet.at("/summary/status/stale").asInt()
        + fleet.at("/summary/status/offline").asInt()).isEqualTo(1);
    assertThat(json(server.get("/api/v1/fleet/overview", admin)).at("/data/nodes/id")).extracting(JsonNode::asText)
        .contains("a1", "b1");
    JsonNode scope = json(server.get("/api/v1/users/alice/permissions", admin)).at("/data/scope");
    assertThat(scope.get("unscoped").asBoolean()).isFalse();
    assertThat(scope.at("/selectors/0/selector").asText()).isEqualTo("{group=\"team-a\"}");
    assertThat(scope.at("/selectors/0/from").asText()).isEqualTo("role team-a");
    assertThat(json(server.get("/api/v1/me", admin)).at("/data/permissions/scope/unscoped").asBoolean()).isTrue();
    HttpResponse<String> bad = send("PUT", "/api/v1/roles/team-x", "{\"parents\":[\"viewer\"],"
        + "\"scopes\":[\"{group=~\\\".*\\\"}\"]}", admin);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("scopes: ").contains("at least one matcher that does not match the empty value");
  }

  @Test
  void live_scopedClient_getsOnlyItsNodes() throws Exception {
    List<String> mine = new CopyOnWriteArrayList<>();
    List<String> all = new CopyOnWriteArrayList<>();
    WebSocket ws = live(alice, mine);
    WebSocket wsAdmin = live(admin, all);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().anyMatch(m -> m.contains("\"type\":\"sample\"")
          && m.contains("\"nodeId\":\"b1\"")));
      int seen = (int) mine.stream().filter(m -> m.contains("\"nodeId\":\"a1\"")).count();
      // b1 published after both clients joined; two more a1 samples later it would have reached alice too.
      await().atMost(Duration.ofSeconds(20)).until(() -> mine.stream().filter(m -> m.contains("\"nodeId\":\"a1\""))
          .count() >= seen + 2);
      assertThat(mine).filteredOn(m -> m.contains("\"type\":\"snapshot\"")).singleElement().asString()
          .contains("\"id\":\"a1\"");
      assertThat(mine).noneMatch(m -> m.contains("b1"));
      assertThat(all).filteredOn(m -> m.contains("\"type\":\"snapshot\"")).singleElement().asString()
          .contains("\"id\":\"b1\"");
    } finally {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
      wsAdmin.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
  }

  @Test
  void live_subscription_sendsOnlySubscribedNodesInScope_andAnswersBadFramesWithAnError() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    List<String> all = new CopyOnWriteArrayList<>();
    List<String> mine = new CopyOnWriteArrayList<>();
    WebSocket ws = server.live(admin, "&subscribe=none", got);
    WebSocket wsAll = live(admin, all);
    WebSocket wsAlice = server.live(alice, "&subscribe=none", mine);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> !got.isEmpty() && !all.isEmpty());
      assertThat(got.get(0)).isEqualTo("{\"type\":\"snapshot\",\"nodes\":[]}");
      // Two more samples of each node reach the unsubscribed client; none reaches the one subscribed to nothing.
      int from = all.size();
      await().atMost(Duration.ofSeconds(20)).until(() -> samplesAfter(all, from, "a1") >= 2 && samplesAfter(all, from, "b1") >= 2);
      assertThat(got).hasSize(1);

      ws.sendText("{\"type\":\"subscribe\",\"nodes\":[\"a1\",\"nope\"]}", true).join();
      await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= 2);
      assertThat(got.get(1)).startsWith("{\"type\":\"snapshot\"").contains("\"id\":\"a1\"").doesNotContain("b1", "nope");
      int subscribed = all.size();
      await().atMost(Duration.ofSeconds(20)).until(() -> samplesAfter(got, 2, "a1") >= 2 && samplesAfter(all, subscribed, "b1") >= 2);
      assertThat(got).noneMatch(m -> m.contains("b1"));

      // Bad frames: an error naming what was wrong; the subscription and the connection stay.
      ws.sendText("{\"type\":\"subscribe\",\"nodes\":[1]}", true).join();
      ws.sendText("{\"type\":\"subscribe\",\"nodes\":[" + "\"n\",".repeat(1000) + "\"n\"]}", true).join();
      ws.sendText("hello", true).join();
      await().atMost(Duration.ofSeconds(20)).until(() -> got.stream().filter(m -> m.startsWith("{\"type\":\"error\"")).count() == 3);
      assertThat(got).filteredOn(m -> m.startsWith("{\"type\":\"error\"")).containsExactly(
          "{\"type\":\"error\",\"message\":\"nodes: 1 (expected: node ids of 1 to 256 characters)\"}",
          "{\"type\":\"error\",\"message\":\"nodes: 1001 ids (expected: at most 1000)\"}",
          "{\"type\":\"error\",\"message\":\"message: not JSON (expected: {\\\"type\\\":\\\"subscribe\\\",\\\"nodes\\\":[node ids] or \\\"all\\\"})\"}");
      int afterErrors = got.size();
      await().atMost(Duration.ofSeconds(20)).until(() -> samplesAfter(got, afterErrors, "a1") >= 1);
      assertThat(got).noneMatch(m -> m.contains("b1"));

      // A scope still applies: alice subscribing to team-b's node gets nothing of it.
      wsAlice.sendText("{\"type\":\"subscribe\",\"nodes\":[\"b1\"]}", true).join();
      await().atMost(Duration.ofSeconds(20)).until(() -> mine.size() >= 2);
      assertThat(mine.get(1)).isEqualTo("{\"type\":\"snapshot\",\"nodes\":[]}");

      List<String> bad = new CopyOnWriteArrayList<>();
      server.live(admin, "&subscribe=some", bad);
      await().atMost(Duration.ofSeconds(20)).until(() -> !bad.isEmpty());
      assertThat(bad.get(0)).isEqualTo("{\"type\":\"error\",\"message\":\"subscribe: some (expected: none or all)\"}");
    } finally {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
      wsAll.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
      wsAlice.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
  }

  private static long samplesAfter(List<String> messages, int from, String node) {
    return messages.subList(from, messages.size()).stream()
        .filter(m -> m.contains("\"type\":\"sample\"") && m.contains("\"nodeId\":\"" + node + "\"")).count();
  }

  private static WebSocket live(String token, List<String> into) {
    return server.live(token, into);
  }

  @Test
  void alerts_andHistory_onlyInScope_andRulesOfOthersHidden() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> alertNodes(admin).containsAll(Set.of("a1", "b1")));
    assertThat(alertNodes(alice)).containsExactly("a1");
    JsonNode history = json(server.get("/api/v1/alerts/history?rule=NodeUp", alice)).at("/data/changes");
    assertThat(history.size()).isGreaterThan(0);
    assertThat(history).allMatch(h -> h.at("/labels/group").asText().equals("team-a"));
    assertThat(json(server.get("/api/v1/alerts/history?rule=NodeUp", admin)).at("/data/changes"))
        .anyMatch(h -> h.at("/labels/node").asText().equals("b1"));
    JsonNode groups = json(server.get("/api/v1/rules", alice)).at("/data/groups");
    assertThat(groups).extracting(g -> g.get("name").asText()).doesNotContain("everyone");
    assertThat(send("GET", "/api/v1/alert-rules/everyone", null, alice).statusCode()).isEqualTo(404);
    HttpResponse<String> steal = send("PUT", "/api/v1/alert-rules/everyone", """
        {"name": "everyone", "rules": [{"alert": "Mine", "expr": "up == 0"}]}""", alice);
    assertThat(steal.statusCode()).isEqualTo(403);
    assertThat(steal.body()).contains("belongs to another scope");
    assertThat(send("DELETE", "/api/v1/alert-rules/everyone", null, alice).statusCode()).isEqualTo(403);
  }

  private static Set<String> alertNodes(String token) throws Exception {
    Set<String> out = new TreeSet<>();
    json(server.get("/api/v1/alerts", token)).at("/data/alerts").forEach(a -> out.add(a.at("/labels/node").asText()));
    return out;
  }

  @Test
  void rules_ofScopedUser_ownedAndEvaluatedUnderScope() throws Exception {
    HttpResponse<String> put = send("PUT", "/api/v1/alert-rules/team-a-up", """
        {"name": "team-a-up", "interval": "1s", "rules": [{"alert": "TeamUp", "expr": "up == 1"}]}""", alice);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode g = json(send("GET", "/api/v1/alert-rules/team-a-up", null, admin)).get("data");
    assertThat(g.get("owner").asText()).isEqualTo("alice");
    assertThat(g.get("scope")).extracting(JsonNode::asText).containsExactly("{group=\"team-a\"}");
    await().atMost(Duration.ofSeconds(30)).until(() -> teamUpNodes().contains("a1"));
    assertThat(teamUpNodes()).as("evaluated under team-a's scope, even as admin sees it").containsExactly("a1");

    HttpResponse<String> recording = send("PUT", "/api/v1/alert-rules/team-a-rec", """
        {"name": "team-a-rec", "rules": [{"record": "x:up", "expr": "up"}]}""", alice);
    assertThat(recording.statusCode()).isEqualTo(403);
    assertThat(recording.body()).contains("recording rules are not available");
    HttpResponse<String> relabel = send("PUT", "/api/v1/alert-rules/team-a-rel", """
        {"name": "team-a-rel", "rules": [{"alert": "X", "expr": "up == 1", "labels": {"group": "team-b"}}]}""", alice);
    assertThat(relabel.statusCode()).isEqualTo(403);
    assertThat(relabel.body()).contains("labels.group would move its alerts outside your scope");

    // An expression that rewrites the scope label: its alerts would leave the scope, so there are none.
    HttpResponse<String> sneaky = send("PUT", "/api/v1/alert-rules/team-a-sneaky", """
        {"name": "team-a-sneaky", "interval": "1s", "rules": [{"alert": "Sneaky",
         "expr": "label_replace(up == 1, \\"group\\", \\"team-b\\", \\"group\\", \\".*\\")"}]}""", alice);
    assertThat(sneaky.statusCode()).as(sneaky.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> evaluatedTwice("team-a-sneaky"));
    assertThat(json(server.get("/api/v1/alerts", admin)).at("/data/alerts"))
        .noneMatch(a -> a.at("/labels/alertname").asText().equals("Sneaky"));

    List<String> actions = auditActions();
    assertThat(actions).contains("alert.rules.create", "role.saved", "user.created");
  }

  private static long firstEval;

  /** True once the group has been evaluated, healthy, at two different times. */
  private static boolean evaluatedTwice(String group) throws Exception {
    for (JsonNode g : json(server.get("/api/v1/rules", admin)).at("/data/groups")) {
      if (g.get("name").asText().equals(group) && g.at("/rules/0/health").asText().equals("ok")) {
        long t = Instant.parse(g.get("lastEvaluation").asText()).toEpochMilli();
        if (firstEval == 0) {
          firstEval = t;
        }
        return t > firstEval;
      }
    }
    return false;
  }

  private static Set<String> teamUpNodes() throws Exception {
    Set<String> out = new TreeSet<>();
    json(server.get("/api/v1/alerts", admin)).at("/data/alerts").forEach(a -> {
      if (a.at("/labels/alertname").asText().equals("TeamUp")) {
        out.add(a.at("/labels/node").asText());
      }
    });
    return out;
  }

  private static List<String> auditActions() throws Exception {
    List<String> out = new ArrayList<>();
    json(server.get("/api/v1/audit?limit=1000", admin)).get("data").forEach(e -> out.add(e.get("action").asText()));
    return out;
  }

  @Test
  void silences_outsideScopeRefused_andNotificationAlertsFiltered() throws Exception {
    Instant now = Instant.now();
    String ends = now.plusSeconds(3600).toString();
    HttpResponse<String> other = send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"group\",\"value\":\"team-b\"}],"
        + "\"endsAt\":\"" + ends + "\",\"comment\":\"not mine\"}", alice);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(TestServer.JSON.readTree(other.body()).get("error").asText())
        .contains("outside your scope").contains("group=\"team-a\"");
    HttpResponse<String> wide = send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"alertname\","
        + "\"value\":\"NodeUp\"}],\"endsAt\":\"" + ends + "\"}", alice);
    assertThat(wide.statusCode()).isEqualTo(403);
    HttpResponse<String> regex = send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"group\",\"value\":\"team-.*\","
        + "\"isRegex\":true}],\"endsAt\":\"" + ends + "\"}", alice);
    assertThat(regex.statusCode()).isEqualTo(403);
    HttpResponse<String> ok = send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"group\",\"value\":\"team-a\"},"
        + "{\"name\":\"alertname\",\"value\":\"Noise\"}],\"endsAt\":\"" + ends + "\",\"comment\":\"maintenance\"}", alice);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    String mine = json(ok).at("/data/silenceID").asText();
    String theirs = json(send("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"group\",\"value\":\"team-b\"}],"
        + "\"endsAt\":\"" + ends + "\",\"comment\":\"team-b upgrade\"}", admin)).at("/data/silenceID").asText();
    assertThat(json(server.get("/api/v1/silences", alice)).get("data")).extracting(s -> s.get("id").asText())
        .contains(mine).doesNotContain(theirs);
    assertThat(send("DELETE", "/api/v1/silences/" + theirs, null, alice).statusCode()).isEqualTo(403);
    assertThat(send("DELETE", "/api/v1/silences/" + mine, null, alice).statusCode()).isEqualTo(200);

    // Notification's view: alerts handed to the sink for both teams; alice sees and acks only hers.
    server.server.alertSink().send(List.of(
        new Alert(Labels.of("alertname", "Disk", "group", "team-a", "node", "a1"), Map.of(), now, now.plusSeconds(3600),
            "", 1),
        new Alert(Labels.of("alertname", "Disk", "group", "team-b", "node", "b1"), Map.of(), now, now.plusSeconds(3600),
            "", 1)));
    await().atMost(Duration.ofSeconds(20)).until(() -> diskAlerts(admin).size() == 2);
    Map<String, String> visible = diskAlerts(alice);
    assertThat(visible.values()).containsExactly("a1");
    String bFp = diskAlerts(admin).entrySet().stream().filter(e -> e.getValue().equals("b1")).findFirst().orElseThrow()
        .getKey();
    String aFp = visible.keySet().iterator().next();
    assertThat(send("POST", "/api/v1/alerts/" + bFp + "/ack", "{\"comment\":\"x\"}", alice).statusCode()).isEqualTo(404);
    assertThat(send("POST", "/api/v1/alerts/" + aFp + "/ack", "{\"comment\":\"mine\"}", alice).statusCode()).isEqualTo(200);
    assertThat(auditActions()).contains("silence.created", "silence.expired", "alert.acknowledged");
  }

  private static Map<String, String> diskAlerts(String token) throws Exception {
    Map<String, String> out = new java.util.HashMap<>();
    json(server.get("/api/v1/alerting/alerts", token)).get("data").forEach(a -> {
      if (a.at("/labels/alertname").asText().equals("Disk")) {
        out.put(a.get("fingerprint").asText(), a.at("/labels/node").asText());
      }
    });
    return out;
  }
}
