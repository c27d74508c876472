package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentBuilder;
import syslens.agent.AgentState;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Reject;

/**
 * An installation that turned the shared enrollment token off and requires client certificates
 * (--no-shared-enrollment-token --require-agent-certificates).
 */
class AgentAuthSettingsTest {
  @TempDir static Path dir;
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("server"), Duration.ofMillis(500), null,
        b -> b.agentAuth(new ServerConfig.AgentAuth(false, true, Duration.ofDays(90))));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static AgentBuilder agent(String nodeId, String token) {
    return Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .nodeId(nodeId).stateDir(dir.resolve(nodeId)).enrollmentToken(token).interval(Duration.ofMillis(500))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
  }

  @Test
  void enroll_sharedTokenTurnedOff_refusedAndAudited() throws Exception {
    try (Agent a = agent("shared-user", TestServer.TOKEN).build()) {
      a.start();
      assertThat(a.awaitStopped(Duration.ofSeconds(20))).isTrue();
      assertThat(a.state()).isEqualTo(AgentState.STOPPED_FATAL);
      assertThat(a.clientCertificate()).isNull();
    }
    assertThat(server.get("/api/v1/audit?limit=1000", admin).body())
        .contains("the shared enrollment token is turned off on this server");
  }

  @Test
  void enroll_adminTokenWithCsr_worksWhileRequestWithoutCsrIsRefused() throws Exception {
    var r = server.post("/api/v1/enrollment-tokens", "{\"name\":\"fleet\",\"oneTime\":false}", admin);
    String token = TestServer.JSON.readTree(r.body()).path("data").path("token").asText();
    try (Agent a = agent("modern-node", token).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null
          && a.state() == AgentState.CONNECTED);
    }
    // An old agent (no certificate request) cannot enroll even with a live token.
    ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build()).build();
    try {
      AgentCertificateTest.StreamObserverInbox inbox = new AgentCertificateTest.StreamObserverInbox();
      AgentServiceGrpc.newStub(ch).connect(inbox).onNext(AgentCertificateTest.hello(
          AgentCertificateTest.hello("old-node").setEnrollmentToken(token)));
      inbox.end.get(10, TimeUnit.SECONDS);
      Reject reject = inbox.messages.get(0).getReject();
      assertThat(reject.getCode()).isEqualTo(Reject.Code.UNAUTHENTICATED);
      assertThat(reject.getReason()).contains("requires client certificates");
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Turning the requirement on after agents enrolled with secrets: they move to certificates. */
  @Test
  void requireCertificates_nodeEnrolledWithSecret_exchangesItOnce() throws Exception {
    Path data = dir.resolve("upgrade");
    String secret;
    try (TestServer before = new TestServer(data, Duration.ofMillis(500))) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", before.port()).sslContext(
          GrpcSslContexts.forClient().trustManager(before.server.tls().caCertFile().toFile()).build()).build();
      try {
        AgentCertificateTest.StreamObserverInbox inbox = new AgentCertificateTest.StreamObserverInbox();
        var out = AgentServiceGrpc.newStub(ch).connect(inbox);
        out.onNext(AgentCertificateTest.hello(AgentCertificateTest.hello("old-timer").setEnrollmentToken(TestServer.TOKEN)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !inbox.messages.isEmpty());
        secret = inbox.messages.get(0).getEnrolled().getNodeSecret();
        out.onCompleted();
        inbox.end.get(10, TimeUnit.SECONDS);
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThat(secret).isNotEmpty();
    Path state = dir.resolve("old-timer-state");
    java.nio.file.Files.createDirectories(state);
    java.nio.file.Files.writeString(state.resolve("node-credential"), "old-timer " + secret + "\n");
    try (TestServer after = new TestServer(data, Duration.ofMillis(500), null,
        b -> b.agentAuth(new ServerConfig.AgentAuth(false, true, Duration.ofDays(90))));
        Agent a = Agent.builder().server("localhost", after.port()).caFile(after.server.tls().caCertFile())
            .nodeId("old-timer").stateDir(state).interval(Duration.ofMillis(500))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null
          && a.state() == AgentState.CONNECTED);
    }
  }
}
