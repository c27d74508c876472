package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Hello;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.agent.v1.ServerMessage;

/**
 * What the agent stream does across disconnects and restarts, spoken by a raw gRPC client: a
 * node's series go stale and its {@code up} turns 0 the moment its stream ends; a batch resent
 * with a seq the server already acked is acked again and not stored, also after a restart.
 */
class AgentReplayAndStalenessTest {
  @TempDir Path dir;
  ManagedChannel channel;

  @AfterEach
  void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private StreamObserver<AgentMessage> open(TestServer s, AgentStreamTest.Inbox inbox) throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    channel = NettyChannelBuilder.forAddress("localhost", s.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(s.server.tls().caCertFile().toFile()).build()).build();
    return AgentServiceGrpc.newStub(channel).connect(inbox);
  }

  private static AgentMessage hello(String node, String secret, long epoch) {
    Hello.Builder h = Hello.newBuilder().setNodeId(node).setHostname(node + "-host").setOs("Linux test")
        .setAgentVersion("test").setIntervalMs(1000).setSeqEpoch(epoch);
    if (secret == null) {
      h.setEnrollmentToken(TestServer.TOKEN);
    } else {
      h.setNodeSecret(secret);
    }
    return AgentMessage.newBuilder().setHello(h).build();
  }

  private static AgentMessage batch(long seq, long t, double v, String... names) {
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(seq);
    for (String n : names) {
      b.addSeries(Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(n))
          .addSamples(Sample.newBuilder().setTimestampMs(t).setValue(v)));
    }
    return AgentMessage.newBuilder().setBatch(b).build();
  }

  private static void awaitAck(AgentStreamTest.Inbox inbox, long seq) {
    await().atMost(Duration.ofSeconds(10)).until(() -> inbox.messages.stream()
        .anyMatch(m -> m.hasAck() && m.getAck().getSeq() == seq));
  }

  private static JsonNode instant(TestServer s, String token, String q) throws Exception {
    return TestServer.JSON.readTree(s.get("/api/v1/query?query=" + TestServer.enc(q), token).body());
  }

  @Test
  void streamEnd_seriesStaleAtOnce_upIsZero() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1))) {
      String token = s.login();
      AgentStreamTest.Inbox inbox = new AgentStreamTest.Inbox();
      StreamObserver<AgentMessage> out = open(s, inbox);
      out.onNext(hello("stale-node", null, 1));
      long t = System.currentTimeMillis() - 3000;
      out.onNext(batch(1, t, 1, "a_gauge", "b_gauge"));
      awaitAck(inbox, 1);
      out.onNext(batch(2, t + 1000, 2, "a_gauge")); // b_gauge missing from this round
      out.onNext(batch(3, t + 2000, 3, "a_gauge")); // ... which is now complete
      awaitAck(inbox, 3);
      assertThat(instant(s, token, "{node=\"stale-node\"}").at("/data/result").size())
          .as("a_gauge and up; b_gauge vanished from a round and is stale").isEqualTo(2);
      assertThat(instant(s, token, "up{node=\"stale-node\"}").at("/data/result/0/value/1").asText()).isEqualTo("1");

      out.onCompleted();
      inbox.end.get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          instant(s, token, "up{node=\"stale-node\"}").at("/data/result/0/value/1").asText().equals("0"));
      // Only the series the agent sent: the built-in NodeDown rule may already have written
      // ALERTS / ALERTS_FOR_STATE with the node's labels.
      assertThat(instant(s, token, "{node=\"stale-node\",__name__=~\"a_gauge|b_gauge\"}").at("/data/result").size())
          .as("no series of the node right after its stream ended, not 5 minutes later").isZero();
      JsonNode up = instant(s, token, "up{node=\"stale-node\"}").at("/data/result/0/metric");
      assertThat(up.get("instance").asText()).isEqualTo("stale-node-host");
      // While the node stays away, up keeps saying 0 (every interval), not only for the lookback.
      await().atMost(Duration.ofSeconds(15)).until(() -> instant(s, token,
          "count_over_time(up{node=\"stale-node\"}[1m]) - sum_over_time(up{node=\"stale-node\"}[1m])")
          .at("/data/result/0/value/1").asDouble() >= 3);
      // The samples themselves are still there for ranges before the end.
      assertThat(s.queryRange(token, "a_gauge{node=\"stale-node\"}", t, t + 2000, "1s").at("/data/result/0/values")
          .size()).isEqualTo(3);
    }
  }

  @Test
  void resentBatch_oldSeq_ackedNotStoredAgain_alsoAfterARestart() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1))) {
      long epoch = 0x5eed;
      long t = System.currentTimeMillis() - 10_000;
      AgentStreamTest.Inbox first = new AgentStreamTest.Inbox();
      StreamObserver<AgentMessage> out = open(s, first);
      out.onNext(hello("replay-node", null, epoch));
      out.onNext(batch(1, t, 1, "r_gauge"));
      out.onNext(batch(2, t + 1000, 2, "r_gauge"));
      awaitAck(first, 2);
      String secret = first.messages.stream().filter(ServerMessage::hasEnrolled).findFirst().orElseThrow()
          .getEnrolled().getNodeSecret();
      out.onCompleted();
      first.end.get(10, TimeUnit.SECONDS);

      // The ack of 2 was "lost": the agent resends it on a new stream (here with a telltale value).
      AgentStreamTest.Inbox second = new AgentStreamTest.Inbox();
      out = open(s, second);
      out.onNext(hello("replay-node", secret, epoch));
      out.onNext(batch(2, t + 2000, 99, "r_gauge"));
      awaitAck(second, 2);
      assertThat(second.messages.stream().filter(ServerMessage::hasAck).findFirst().orElseThrow().getAck()
          .getRejectedSamples()).isZero();
      out.onCompleted();
      second.end.get(10, TimeUnit.SECONDS);

      s.restart();
      AgentStreamTest.Inbox third = new AgentStreamTest.Inbox();
      out = open(s, third);
      out.onNext(hello("replay-node", secret, epoch));
      out.onNext(batch(1, t + 3000, 77, "r_gauge"));
      out.onNext(batch(3, t + 4000, 3, "r_gauge"));
      awaitAck(third, 3);
      assertThat(third.messages.stream().filter(ServerMessage::hasAck).map(m -> m.getAck().getSeq()).toList())
          .containsExactly(1L, 3L);

      String token = s.login();
      JsonNode values = s.queryRange(token, "r_gauge{node=\"replay-node\"}", t, t + 4000, "1s")
          .at("/data/result/0/values");
      List<String> got = new java.util.ArrayList<>();
      values.forEach(v -> got.add(v.get(1).asText()));
      // At t+2 s and t+3 s nothing: the first stream's end marked the series stale after t+1 s, and
      // the resent batches (telltale values 99 and 77) were not stored.
      assertThat(got).as("every batch once; the resent ones not stored").containsExactly("1", "2", "3");
      String metrics = s.get("/metrics", token).body();
      assertThat(metrics).contains("syslens_ingest_duplicate_batches_total");
    }
  }

  @Test
  void serverStop_endsAgentStreamsUnavailable_withoutTheGracefulWait_ackedKeptNotStale() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(1))) {
      long t = System.currentTimeMillis() - 5_000;
      AgentStreamTest.Inbox inbox = new AgentStreamTest.Inbox();
      StreamObserver<AgentMessage> out = open(s, inbox);
      out.onNext(hello("stop-node", null, 7));
      out.onNext(batch(1, t, 1, "s_gauge"));
      out.onNext(batch(2, t + 1000, 2, "s_gauge"));
      awaitAck(inbox, 2);

      long t0 = System.nanoTime();
      s.server.close();
      long stopMillis = (System.nanoTime() - t0) / 1_000_000;
      // The stream ended from the server's side (the agent reconnects and resends), not by the
      // connection's close at the end of the network's 5 s graceful wait for open requests.
      io.grpc.Status end = inbox.end.get(1, TimeUnit.SECONDS);
      assertThat(end.getCode()).as(end.toString()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      assertThat(stopMillis).as("stop with an agent stream open (ms)").isLessThan(4_000);

      s.start();
      String token = s.login();
      JsonNode values = s.queryRange(token, "s_gauge{node=\"stop-node\"}", t, t + 1000, "1s").at("/data/result/0/values");
      assertThat(values.size()).as("both acked samples after the restart").isEqualTo(2);
      assertThat(instant(s, token, "s_gauge{node=\"stop-node\"}").at("/data/result").size())
          .as("a server stop is not the node going away: its series are not marked stale").isEqualTo(1);
    }
  }
}
