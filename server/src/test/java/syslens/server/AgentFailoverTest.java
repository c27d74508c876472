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

/** An agent given two real servers moves to the second when the first goes away, and its data follows. */
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
      try (Agent agent = Agent.builder().servers(List.of("localhost:" + a.port(), "localhost:" + b.port()))
          .caFile(cas).enrollmentToken(TestServer.TOKEN).nodeId("fo-node").stateDir(dir.resolve("state"))
          .interval(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(300)).build()) {
        agent.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.state() == AgentState.CONNECTED);
        assertThat(agent.currentServer()).isEqualTo("localhost:" + a.port());

        a.close();
        aOpen = false;
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
