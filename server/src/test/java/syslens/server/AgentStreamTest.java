package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Heartbeat;
import syslens.agent.v1.Hello;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Reject;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.agent.v1.ServerMessage;

/** The agent stream's protocol rules and bad-input handling, spoken by a raw gRPC client over TLS. */
class AgentStreamTest {
  @TempDir static Path dir;
  static TestServer server;
  ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Collects what the server sends on one stream. */
  static final class Inbox implements StreamObserver<ServerMessage> {
    final List<ServerMessage> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(ServerMessage m) {
      messages.add(m);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }

  private StreamObserver<AgentMessage> open(Inbox inbox) throws Exception {
    channel = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build())
        .maxInboundMessageSize(1 << 20)
        .build();
    return AgentServiceGrpc.newStub(channel).connect(inbox);
  }

  private static AgentMessage hello(String token, String nodeId) {
    return AgentMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(nodeId).setHostname(nodeId)
        .setOs("Linux test").setAgentVersion("test").setEnrollmentToken(token).setIntervalMs(10_000)).build();
  }

  private static Series series(String name, long t, double v) {
    return Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addSamples(Sample.newBuilder().setTimestampMs(t).setValue(v)).build();
  }

  private static AgentMessage batch(long seq, Series... s) {
    return AgentMessage.newBuilder().setBatch(MetricBatch.newBuilder().setSeq(seq).addAllSeries(List.of(s))).build();
  }

  /** The shared enrollment token must not let its holder write as a node that is already enrolled. */
  @Test
  void connect_tokenHolderPosingAsEnrolledNode_isRefused() throws Exception {
    Inbox victim = new Inbox();
    StreamObserver<AgentMessage> out = open(victim);
    out.onNext(hello(TestServer.TOKEN, "victim-node"));
    await().atMost(Duration.ofSeconds(10)).until(() -> victim.messages.stream().anyMatch(ServerMessage::hasConfig));
    out.onCompleted();
    victim.end.get(10, TimeUnit.SECONDS);

    ManagedChannel second = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build())
        .build();
    try {
      Inbox attacker = new Inbox();
      StreamObserver<AgentMessage> evil = AgentServiceGrpc.newStub(second).connect(attacker);
      evil.onNext(AgentMessage.newBuilder().setHello(hello(TestServer.TOKEN, "victim-node").getHello().toBuilder()
          .setHostname("attacker-host")).build());
      evil.onNext(batch(1, series("poison", System.currentTimeMillis(), 666)));
      attacker.end.get(10, TimeUnit.SECONDS);
      assertThat(attacker.messages).isNotEmpty();
      Reject r = attacker.messages.get(0).getReject();
      assertThat(r.getFatal()).isTrue();
      assertThat(r.getCode()).isEqualTo(Reject.Code.UNAUTHENTICATED);
      assertThat(attacker.messages).noneMatch(ServerMessage::hasAck);
      assertThat(server.get("/api/v1/nodes", server.login()).body()).doesNotContain("attacker-host");
    } finally {
      second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void connect_wrongToken_fatalRejectAndStreamEnds() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(hello("wrong-token", "n1"));
    Status end = inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(end.isOk()).isTrue();
    Reject r = inbox.messages.get(0).getReject();
    assertThat(r.getFatal()).isTrue();
    assertThat(r.getCode()).isEqualTo(Reject.Code.UNAUTHENTICATED);
    assertThat(r.getReason()).contains("enrollment refused: wrong enrollment token");
  }

  @Test
  void connect_batchBeforeHello_isProtocolError() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(batch(1, series("up", 1000, 1)));
    inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(inbox.messages.get(0).getReject().getCode()).isEqualTo(Reject.Code.PROTOCOL_ERROR);
  }

  @Test
  void connect_goodBatch_isAckedAndQueryable_badBatchesRejectedStreamSurvives() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(hello(TestServer.TOKEN, "stream-test"));
    long t = System.currentTimeMillis() / 1000 * 1000;
    out.onNext(batch(1, series("test_gauge", t, 42)));
    out.onNext(batch(2, series("bad-metric-name!", t, 1)));
    out.onNext(batch(3, Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("x"))
        .addAllSamples(java.util.Collections.nCopies(1001, Sample.newBuilder().setTimestampMs(t).setValue(1).build())).build()));
    out.onNext(batch(4, series("test_gauge", t - 60_000, 1))); // out of order: counted, not fatal
    out.onNext(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setTimestampMs(t)).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> inbox.messages.size() >= 6);
    assertThat(inbox.messages.get(0).getEnrolled().getNodeSecret()).as("a new node id gets its own credential")
        .hasSizeGreaterThanOrEqualTo(40);
    assertThat(inbox.messages.get(1).hasConfig()).isTrue();
    assertThat(inbox.messages.get(1).getConfig().getCollectIntervalMs()).isEqualTo(10_000);
    assertThat(inbox.messages.get(2).getAck().getSeq()).isEqualTo(1);
    Reject badName = inbox.messages.get(3).getReject();
    assertThat(badName.getSeq()).isEqualTo(2);
    assertThat(badName.getFatal()).isFalse();
    assertThat(badName.getReason()).contains("metric name").contains("bad-metric-name!");
    assertThat(inbox.messages.get(4).getReject().getReason()).contains("1001 samples (expected: <= 1000)");
    assertThat(inbox.messages.get(5).getAck().getSeq()).isEqualTo(4);
    assertThat(inbox.messages.get(5).getAck().getRejectedSamples()).isEqualTo(1);
    assertThat(inbox.end).isNotDone();

    String token = server.login();
    var body = server.queryRange(token, "test_gauge", t, t, "1s");
    assertThat(body.at("/data/result/0/metric/node").asText()).isEqualTo("stream-test");
    assertThat(body.at("/data/result/0/metric/instance").asText()).isEqualTo("stream-test");
    assertThat(body.at("/data/result/0/values/0/1").asText()).isEqualTo("42");
    out.onCompleted();
  }

  private static Series ref(int ref, String name, long t, double v) {
    Series.Builder b = Series.newBuilder().setRef(ref).addSamples(Sample.newBuilder().setTimestampMs(t).setValue(v));
    if (name != null) {
      b.addLabels(Label.newBuilder().setName("__name__").setValue(name));
    }
    return b.build();
  }

  @Test
  void connect_seriesRefs_labelsOnceThenRefAlone_unknownRefEndsStreamStoringNothing() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(AgentMessage.newBuilder().setHello(hello(TestServer.TOKEN, "ref-test").getHello().toBuilder()
        .setSeqEpoch(77)).build());
    long t = System.currentTimeMillis() / 1000 * 1000 - 30_000;
    out.onNext(batch(1, ref(1, "ref_gauge", t, 1)));
    out.onNext(batch(1, ref(2, "ref_other", t, 7))); // a resend, acked as a duplicate: its ref still counts
    out.onNext(batch(2, ref(1, null, t + 10_000, 2), ref(2, null, t + 10_000, 8)));
    out.onNext(batch(3, ref(1, null, t + 20_000, 3), ref(9, null, t + 20_000, 9)));
    Status end = inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    List<ServerMessage> replies = inbox.messages.stream().filter(m -> m.hasAck() || m.hasReject()).toList();
    assertThat(replies).extracting(m -> m.hasAck() ? "ack " + m.getAck().getSeq() : m.getReject().getCode() + " " + m.getReject().getSeq())
        .containsExactly("ack 1", "ack 1", "ack 2", "UNKNOWN_SERIES_REF 3");
    assertThat(replies.get(3).getReject().getFatal()).isFalse();
    assertThat(replies.get(3).getReject().getReason()).contains("series ref 9 was never defined on this stream");

    String token = server.login();
    var gauge = server.queryRange(token, "ref_gauge", t, t + 20_000, "10s");
    assertThat(gauge.at("/data/result/0/metric/node").asText()).isEqualTo("ref-test");
    assertThat(gauge.at("/data/result/0/values").toString()).as("batch 3 stored nothing")
        .contains("\"1\"", "\"2\"").doesNotContain("\"3\"");
    var other = server.queryRange(token, "ref_other", t, t + 20_000, "10s");
    assertThat(other.at("/data/result/0/values").toString()).as("the duplicate stored nothing; its ref served batch 2")
        .contains("\"8\"").doesNotContain("\"7\"");
  }

  @Test
  void connect_oversizedMessage_failsStreamWithResourceExhausted() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(hello(TestServer.TOKEN, "big"));
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(1);
    String longValue = "v".repeat(2000);
    for (int i = 0; i < 2500; i++) {
      b.addSeries(Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("m" + i))
          .addLabels(Label.newBuilder().setName("pad").setValue(longValue)));
    }
    out.onNext(AgentMessage.newBuilder().setBatch(b).build());
    Status end = inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    // The server is still fine afterwards.
    assertThat(server.get("/healthz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void connect_invalidNodeId_rejected() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(hello(TestServer.TOKEN, "../etc/passwd"));
    inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(inbox.messages.get(0).getReject().getReason()).contains("node_id");
  }

  @Test
  void connect_heartbeatBeforeHello_isProtocolError() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setTimestampMs(1)).build());
    inbox.end.get(10, TimeUnit.SECONDS);
    assertThat(inbox.messages.get(0).getReject().getReason()).contains("heartbeat before hello");
  }

  @Test
  void connect_helloFieldsTooLong_fatalRejectNamingTheField() throws Exception {
    Inbox inbox = new Inbox();
    StreamObserver<AgentMessage> out = open(inbox);
    out.onNext(AgentMessage.newBuilder().setHello(hello(TestServer.TOKEN, "long-version").getHello().toBuilder()
        .setAgentVersion("v".repeat(65))).build());
    inbox.end.get(10, TimeUnit.SECONDS);
    Reject r = inbox.messages.get(0).getReject();
    assertThat(r.getFatal()).isTrue();
    assertThat(r.getReason()).startsWith("agent_version: too long");
    // Nothing half-registered: the node is not listed.
    assertThat(server.get("/api/v1/nodes", server.login()).body()).doesNotContain("long-version");
  }

  @Test
  void connect_silentClient_isClosedAfterTheHelloDeadline() throws Exception {
    Inbox inbox = new Inbox();
    open(inbox);
    Status end = inbox.end.get(30, TimeUnit.SECONDS);
    assertThat(end.isOk()).isTrue();
    assertThat(inbox.messages.get(0).getReject().getReason()).contains("no hello within 10 s");
  }

  @SuppressWarnings("unused")
  private static void unused(StatusRuntimeException e) {}
}
