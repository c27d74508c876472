package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;

/**
 * Drives the administration pages in Debian's headless Chromium (dashboard/e2e/admin-e2e.mjs)
 * under the server's real Content-Security-Policy: an admin creates a user, the role editor shows
 * a separation-of-duties conflict before saving, an API key is shown once, the audit viewer lists
 * those actions with an intact hash chain; a one-time enrollment token is shown once, listed and
 * revoked; the certificate a real agent received at enrollment is listed and revoked. Screenshots stay in server/target/screenshots/admin-*.png.
 */
class AdminBrowserTest {
  @TempDir Path dir;

  @Test
  void admin_createUserRoleConflictApiKeyAudit_inTheBrowser() throws Exception {
    BrowserE2e.chromium();
    Path shots = BrowserE2e.SHOTS;
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      assertThat(s.get("/", null).statusCode()).as("the dashboard is built into the server jar (run Maven "
          + "without -Dnpm.executable=true)").isEqualTo(200);
      String serial = enrollAgent(s, "e2e-node");
      BrowserE2e.run(s, "admin-e2e.mjs", Map.of("NODE_CERT_SERIAL", serial), Duration.ofSeconds(150));
      assertThat(shots.resolve("admin-role-conflict.png")).isNotEmptyFile();
      var certs = TestServer.JSON.readTree(s.get("/api/v1/node-certificates?node=e2e-node", s.login()).body()).path("data");
      assertThat(certs).hasSize(1);
      assertThat(certs.get(0).path("serial").asText()).isEqualTo(serial);
      assertThat(certs.get(0).path("revokedAt").isIntegralNumber()).as("revoked in the browser: " + certs).isTrue();
    }
  }

  /** Enrolls an in-process agent with a one-time token; returns the serial of its client certificate. */
  private String enrollAgent(TestServer s, String nodeId) throws Exception {
    var r = s.post("/api/v1/enrollment-tokens", "{\"name\":\"e2e-agent\",\"ttlSeconds\":600}", s.login());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String token = TestServer.JSON.readTree(r.body()).path("data").path("token").asText();
    try (Agent a = Agent.builder().server("localhost", s.port()).caFile(s.server.tls().caCertFile()).nodeId(nodeId)
        .stateDir(dir.resolve("agent")).interval(Duration.ofSeconds(1)).enrollmentToken(token).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null);
      return a.clientCertificate().getSerialNumber().toString(16);
    }
  }
}
