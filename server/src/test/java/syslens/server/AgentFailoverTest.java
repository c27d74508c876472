package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentState;

/**
 * An agent given two real servers moves to the second when the first cannot be reached, and its
 * data follows. The servers here share nothing (each its own CA and metadata), so the agent meets
 * the second before it enrolled anywhere: an agent enrolled on one server holds that server's
 * client certificate, which a server with another CA and another node registry cannot accept
 * (failover of an enrolled agent needs servers sharing their CA and metadata: issue #13).
 */
class AgentFailoverTest {
  @TempDir Path dir;

  @Test
  void servers_firstStops_agentFailsOverToSecondAndDataArrivesThere() throws Exception {
    TestServer a = new TestServer(dir.resolve("a"), Duration.ofSeconds(1));
    boolean aOpen = true;
    try (TestServer b = new TestServer(dir.resolve("b"), Duration.ofSeconds(1))) {
      // Each server has its own CA here; one PEM file trusts both.
      Path cas = dir.resolve("cas.pem");
      Files.writeString(cas, Files.readString(a.server.tls().caCertFile()) + "\n"
          + Files.readString(b.server.tls().caCertFile()));
      String tokenB = b.login();
      int portA = a.port();
      a.close(); // the first server in the agent's list is down
      aOpen = false;
      try (Agent agent = Agent.builder().servers(List.of("localhost:" + portA, "localhost:" + b.port()))
          .caFile(cas).enrollmentToken(TestServer.TOKEN).nodeId("fo-node").stateDir(dir.resolve("state"))
          .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(300)).build()) {
        agent.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.state() == AgentState.CONNECTED
            && agent.currentServer().equals("localhost:" + b.port()));
        await().atMost(Duration.ofSeconds(20)).until(() -> TestServer.JSON.readTree(
            b.get("/api/v1/query?query=" + TestServer.enc("up{node=\"fo-node\"}"), tokenB).body())
            .at("/data/result").size() == 1);
      }
    } finally {
      if (aOpen) {
        a.close();
      }
    }
  }
}
