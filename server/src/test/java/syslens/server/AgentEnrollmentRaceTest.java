package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Hello;
import syslens.agent.v1.ServerMessage;

/**
 * A Hello whose agent went away while it waited for admission (thousands of agents connecting at
 * once, a connection lost meanwhile) must not leave a credential the agent never received: before,
 * such an agent was refused as "enrolled: its credential is missing" at every later attempt.
 */
class AgentEnrollmentRaceTest {
  @TempDir static Path dir;
  static TestServer server;
  /** One login for the class: a login is a bcrypt, seconds on a loaded machine. */
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void hello_callCancelledBeforeAdmission_enrollsNothing() throws Exception {
    GoneCall call = new GoneCall(0);
    StreamObserver<AgentMessage> in = server.server.agentStreams().connect(call);
    in.onNext(hello("gone-before"));
    in.onError(io.grpc.Status.CANCELLED.asRuntimeException());
    // Handled: the server looked at the call, or (before the fix) answered it.
    await().atMost(Duration.ofSeconds(30)).until(() -> call.handled() || !call.sent.isEmpty());

    assertThat(call.sent).noneMatch(ServerMessage::hasEnrolled);
    assertThat(credentials()).doesNotContain("gone-before");
    assertThat(connectWithToken("gone-before")).as("its next Hello with the token enrolls it").isTrue();
  }

  @Test
  void hello_callCancelledDuringEnrolment_enrolmentTakenBack() throws Exception {
    GoneCall call = new GoneCall(1); // alive at the first check, gone after admission
    StreamObserver<AgentMessage> in = server.server.agentStreams().connect(call);
    in.onNext(hello("gone-during"));
    await().atMost(Duration.ofSeconds(30)).until(() -> call.handled() || !call.sent.isEmpty());
    assertThat(call.sent).noneMatch(ServerMessage::hasEnrolled);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(credentials()).doesNotContain("gone-during"));
    assertThat(server.get("/api/v1/audit?action=node.enroll_undone", admin).body()).contains("gone-during");
    assertThat(connectWithToken("gone-during")).as("its next Hello with the token enrolls it").isTrue();
  }

  private static AgentMessage hello(String node) {
    return AgentMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(node).setHostname(node).setOs("Linux test")
        .setAgentVersion("test").setEnrollmentToken(TestServer.TOKEN).setIntervalMs(10_000)).build();
  }

  private static String credentials() throws Exception {
    return server.get("/api/v1/node-credentials", admin).body();
  }

  /** A real agent stream over TLS: true when the Hello with the token is answered with a configuration. */
  private static boolean connectWithToken(String node) throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build())
        .build();
    try {
      List<ServerMessage> got = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> end = new CompletableFuture<>();
      StreamObserver<AgentMessage> out = AgentServiceGrpc.newStub(ch).connect(new StreamObserver<>() {
        @Override
        public void onNext(ServerMessage m) {
          got.add(m);
        }

        @Override
        public void onError(Throwable t) {
          end.complete(null);
        }

        @Override
        public void onCompleted() {
          end.complete(null);
        }
      });
      out.onNext(hello(node));
      await().atMost(Duration.ofSeconds(30)).until(() -> end.isDone() || got.stream().anyMatch(ServerMessage::hasConfig));
      out.onCompleted();
      return got.stream().anyMatch(ServerMessage::hasEnrolled) && got.stream().anyMatch(ServerMessage::hasConfig);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The server side of a call whose agent is gone: alive for the first {@code aliveChecks} checks,
   * cancelled after; records what the server sends.
   */
  static final class GoneCall extends syslens.server.ingest.TestServerCall<ServerMessage> {
    final AtomicInteger checks = new AtomicInteger();
    private final int aliveChecks;

    GoneCall(int aliveChecks) {
      this.aliveChecks = aliveChecks;
    }

    boolean handled() {
      return checks.get() > aliveChecks;
    }

    @Override
    public boolean isCancelled() {
      return checks.incrementAndGet() > aliveChecks;
    }
  }
}
