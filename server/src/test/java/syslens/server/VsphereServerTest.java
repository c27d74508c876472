package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import syslens.vsphere.VcSim;
import syslens.vsphere.guest.Sshd;

/** The vsphere collector wired into a real server, against govmomi's vCenter simulator. */
class VsphereServerTest {
  @TempDir static Path dir;
  static TestServer server;
  static VcSim sim;
  static String token;
  static String id;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    sim = VcSim.start("-cluster", "2", "-host", "2", "-vm", "3");
    server = new TestServer(dir, Duration.ofSeconds(10));
    token = server.login();
    HttpResponse<String> r = server.post("/api/v1/vcenters", "{\"name\":\"lab\",\"url\":\"" + sim.url()
        + "\",\"user\":\"" + VcSim.USER + "\",\"password\":\"" + VcSim.PASSWORD + "\",\"pinnedSha256\":\""
        + sim.sha256() + "\",\"perfIntervalSeconds\":600}", token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    id = TestServer.JSON.readTree(r.body()).at("/data/id").asText();
    await().atMost(Duration.ofSeconds(60)).until(() -> "ok".equals(status().path("state").asText()));
  }

  @AfterAll
  static void stop() {
    server.close();
    sim.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  static JsonNode status() throws Exception {
    return TestServer.JSON.readTree(server.get("/api/v1/vcenters/" + id, token).body()).at("/data/status");
  }

  @Test
  void collect_writesVmSeriesWithTheVmsNodeIdentityQueryableByPromql() throws Exception {
    JsonNode r = TestServer.JSON.readTree(server.get("/api/v1/query?query="
        + TestServer.enc("vsphere_vm_cpu_usage_ratio{vcenter=\"lab\"}"), token).body());
    JsonNode result = r.at("/data/result");
    assertThat(result).hasSize(6);
    for (JsonNode series : result) {
      JsonNode m = series.get("metric");
      assertThat(m.get("node").asText()).startsWith("vm:lab:");
      assertThat(m.get("instance").asText()).isEqualTo(m.get("vm").asText());
      assertThat(m.has("datacenter") && m.has("cluster") && m.has("esxhost")).isTrue();
    }
    JsonNode up = TestServer.JSON.readTree(server.get("/api/v1/query?query="
        + TestServer.enc("vsphere_collector_up"), token).body()).at("/data/result/0/value/1");
    assertThat(up.asText()).isEqualTo("1");
  }

  @Test
  void nodes_listVmsAndEsxiHostsBesideAgents() throws Exception {
    JsonNode nodes = TestServer.JSON.readTree(server.get("/api/v1/nodes", token).body()).get("data");
    long vms = 0;
    long hosts = 0;
    for (JsonNode n : nodes) {
      if (n.get("kind").asText().equals("vm")) {
        vms++;
        assertThat(n.get("status").asText()).isEqualTo("online");
        assertThat(n.at("/labels/vcenter").asText()).isEqualTo("lab");
      } else if (n.get("kind").asText().equals("esxi")) {
        hosts++;
      }
    }
    assertThat(vms).isEqualTo(6);
    assertThat(hosts).isEqualTo(4);
  }

  @Test
  void password_sealedAtRestNeverReturnedNorLogged() throws Exception {
    server.post("/api/v1/vcenters/" + id + "/collect", "", token);
    String list = server.get("/api/v1/vcenters", token).body();
    String one = server.get("/api/v1/vcenters/" + id, token).body();
    assertThat(list + one).contains("\"name\":\"lab\"").doesNotContain(VcSim.PASSWORD).doesNotContain("v1:");
    assertThat(logs.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(VcSim.PASSWORD));
    Path key = dir.resolve("secrets/master-key");
    assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    String sealed = server.server.vsphere().get(id).orElseThrow().sealedPassword();
    assertThat(sealed).startsWith("v1:").doesNotContain(VcSim.PASSWORD);
    // The change is audited with who, from where and what, never the password.
    String audit = server.get("/api/v1/audit?action=vcenter.&limit=100", token).body();
    assertThat(audit).contains("vcenter.created", "\"target\":\"" + id + "\"", "\"source\":\"127.0.0.1\"",
        "\"actor\":\"admin\"", "after: {").doesNotContain(VcSim.PASSWORD).doesNotContain("v1:");
  }

  @Test
  void tree_andInventory_answerTheSimulatorsShape() throws Exception {
    JsonNode tree = TestServer.JSON.readTree(server.get("/api/v1/vcenters/tree", token).body()).get("data");
    assertThat(tree.at("/0/name").asText()).isEqualTo("lab");
    assertThat(tree.at("/0/children/0/children")).hasSize(2);
    JsonNode page = TestServer.JSON.readTree(server.get("/api/v1/vcenters/inventory?kind=esxi&limit=3", token)
        .body()).get("data");
    assertThat(page.get("total").asInt()).isEqualTo(4);
    assertThat(page.get("items")).hasSize(3);
  }

  @Test
  void api_withoutTokenOrWithBadInput_answersJsonErrors() throws Exception {
    assertThat(server.get("/api/v1/vcenters", null).statusCode()).isEqualTo(401);
    assertThat(server.get("/api/v1/vcenters/tree", null).statusCode()).isEqualTo(401);
    HttpResponse<String> bad = server.post("/api/v1/vcenters", "[1,2]", token);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("expected: {");
    HttpResponse<String> big = server.post("/api/v1/vcenters", "{\"name\":\"" + "x".repeat(70_000) + "\"}", token);
    assertThat(big.statusCode()).as(big.body()).isEqualTo(413);
    HttpResponse<String> missing = server.get("/api/v1/vcenters/nope", token);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("does not exist");
  }

  @Test
  void masterKeyCipher_roundTripsAndRefusesAlteredOrForeignText() {
    MasterKeyCipher a = new MasterKeyCipher(new byte[32]);
    byte[] other = new byte[32];
    other[0] = 1;
    String sealed = a.seal("s3cret");
    assertThat(sealed).isNotEqualTo(a.seal("s3cret")); // a fresh nonce each time
    assertThat(a.open(sealed)).isEqualTo("s3cret");
    assertThatThrownBy(() -> new MasterKeyCipher(other).open(sealed)).hasMessageContaining("another master key");
    // Flip one bit of the ciphertext itself (editing base64 text can hit only its unused low bits).
    byte[] raw = java.util.Base64.getUrlDecoder().decode(sealed.substring(3));
    raw[raw.length - 20] ^= 1;
    String altered = "v1:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThatThrownBy(() -> a.open(altered)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void guestCollection_sshIntoAnInventoryVm_seriesCarryThatVmsIdentityAndChangesAreAudited() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Sshd.available(), "openssh-server is not installed");
    try (Sshd sshd = Sshd.start(dir.resolve("sshd"))) {
      // Another test's settings change restarts the collector, whose inventory is empty until its first cycle.
      JsonNode[] first = new JsonNode[1];
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        first[0] = TestServer.JSON.readTree(server.get("/api/v1/vcenters/inventory?kind=vm&limit=1", token).body())
            .at("/data/items/0");
        return first[0].has("name");
      });
      JsonNode vm = first[0];
      String name = vm.get("name").asText();
      // The simulated VM's guest is this machine's sshd: the address override points it there.
      String body = TestServer.JSON.writeValueAsString(java.util.Map.of("name", "lab-linux", "kind", "ssh", "vms", name,
          "connectAddress", "127.0.0.1:" + sshd.port, "user", System.getProperty("user.name"),
          "privateKey", sshd.clientPrivateKey));
      HttpResponse<String> created = server.post("/api/v1/guest-credentials", body, token);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      assertThat(created.body()).contains("\"privateKey\":\"********\"").doesNotContain("PRIVATE KEY");
      HttpResponse<String> ran = server.post("/api/v1/guest-credentials/collect", "", token);
      assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
      JsonNode st = TestServer.JSON.readTree(server.get("/api/v1/guest-credentials/status", token).body())
          .at("/data/vms/0");
      assertThat(st.get("state").asText()).as(st.toString()).isEqualTo("ok");
      assertThat(st.get("hostKey").asText()).isEqualTo(sshd.hostKeyFingerprint);
      JsonNode result = TestServer.JSON.readTree(server.get("/api/v1/query?query="
          + TestServer.enc("node_memory_MemTotal_bytes"), token).body()).at("/data/result");
      assertThat(result).hasSize(1);
      assertThat(result.at("/0/metric/node").asText()).isEqualTo(st.get("node").asText()).startsWith("vm:lab:");
      assertThat(result.at("/0/metric/instance").asText()).isEqualTo(name);
      String audit = server.get("/api/v1/audit", token).body();
      assertThat(audit).contains("guest.credential.create").contains("guest.collect").doesNotContain("PRIVATE KEY");
      assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("PRIVATE KEY"));
      assertThat(server.get("/api/v1/guest-credentials", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void restart_keepsTheVcenterAndCollectsAgainWithTheSealedPassword() throws Exception {
    server.restart();
    token = server.login();
    await().atMost(Duration.ofSeconds(60)).until(() -> "ok".equals(status().path("state").asText()));
    assertThat(status().path("vms").asInt()).isEqualTo(6);
    assertThat(Set.of(Files.readString(dir.resolve("secrets/master-key")).trim())).hasSize(1);
  }

  @Test
  void scopedUser_seesOnlyItsClusterAndCannotChangeConnections_changesAudited() throws Exception {
    HttpResponse<String> role = server.put("/api/v1/roles/cluster-c0", "{\"parents\":[\"admin\"],"
        + "\"scopes\":[\"{cluster=\\\"DC0_C0\\\"}\"]}", token);
    assertThat(role.statusCode()).as(role.body()).isEqualTo(200);
    String pw = "Tr0ub4dor-and-3x";
    HttpResponse<String> user = server.post("/api/v1/users", "{\"username\":\"carol\",\"password\":\"" + pw
        + "\",\"role\":\"cluster-c0\",\"mustChangePassword\":false}", token);
    assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
    String carol = TestServer.JSON.readTree(server.post("/api/v1/auth/login", "{\"username\":\"carol\",\"password\":\""
        + pw + "\"}", null).body()).get("token").asText();

    JsonNode all = TestServer.JSON.readTree(server.get("/api/v1/vcenters/inventory?limit=1000", token).body()).get("data");
    JsonNode mine = TestServer.JSON.readTree(server.get("/api/v1/vcenters/inventory?limit=1000", carol).body()).get("data");
    assertThat(mine.get("total").asInt()).isPositive().isLessThan(all.get("total").asInt());
    assertThat(mine.get("items")).allMatch(r -> r.get("cluster").asText().equals("DC0_C0"));
    JsonNode tree = TestServer.JSON.readTree(server.get("/api/v1/vcenters/tree", carol).body()).at("/data/0/children/0/children");
    assertThat(tree).extracting(c -> c.get("name").asText()).containsExactly("DC0_C0");
    assertThat(TestServer.JSON.readTree(server.get("/api/v1/vcenters", carol).body()).get("data"))
        .extracting(v -> v.get("name").asText()).containsExactly("lab");
    HttpResponse<String> change = server.put("/api/v1/vcenters/" + id, "{\"perfIntervalSeconds\":601}", carol);
    assertThat(change.statusCode()).isEqualTo(403);
    assertThat(change.body()).contains("serve every team");

    HttpResponse<String> update = server.put("/api/v1/vcenters/" + id, "{\"perfIntervalSeconds\":599}", token);
    assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
    String audit = server.get("/api/v1/audit?limit=200", token).body();
    assertThat(audit).contains("vcenter.created").contains("vcenter.updated").contains("perfIntervalSeconds=600")
        .contains("perfIntervalSeconds=599").doesNotContain(VcSim.PASSWORD);
  }
}
