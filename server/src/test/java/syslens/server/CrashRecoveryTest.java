package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A server in a child JVM ingests continuously through the real agent stream while the test
 * kills it with SIGKILL at random points; after every restart each acknowledged sample is there
 * exactly once, and the unacknowledged ones, resent as an agent would, are stored too.
 */
class CrashRecoveryTest {
  static final int SERIES = 50;
  static final int ROUNDS = 5;
  static final String NODE = "crash-node";

  @TempDir Path dir;
  Process child;
  ManagedChannel channel;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** Every batch ever sent, by seq (the agent's resend buffer plus what was acked). */
  final NavigableMap<Long, MetricBatch> sent = new ConcurrentSkipListMap<>();
  final ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
  final long base = System.currentTimeMillis() - 3_000_000;
  int port;
  volatile String nodeSecret;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigkillDuringIngest_everyAcknowledgedSamplePresentExactlyOnce() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    port = freePort();
    for (int round = 0; round < ROUNDS; round++) {
      startChild();
      StreamObserver<AgentMessage> out = connect();
      // Resend what was never acknowledged, in order, as the agent does after a reconnect.
      for (MetricBatch b : sent.values()) {
        if (!acked.contains(b.getSeq())) {
          out.onNext(AgentMessage.newBuilder().setBatch(b).build());
        }
      }
      int target = acked.size() + 20 + random.nextInt(60);
      AtomicBoolean stop = new AtomicBoolean();
      Thread sender = Thread.ofPlatform().name("crash-sender").start(() -> {
        try {
          while (!stop.get()) {
            MetricBatch b = nextBatch();
            out.onNext(AgentMessage.newBuilder().setBatch(b).build());
            if (sent.size() - acked.size() > 50) {
              await().atMost(Duration.ofSeconds(30)).until(() -> stop.get() || sent.size() - acked.size() <= 50);
            }
          }
        } catch (RuntimeException e) {
          // the stream died with the child
        }
      });
      await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= target);
      child.destroyForcibly(); // SIGKILL, mid-stream
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      sender.join(10_000);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    startChild();
    Map<Long, List<double[]>> stored = storedSamples();
    Map<Long, Map<Long, Double>> byTime = new HashMap<>();
    stored.forEach((series, points) -> {
      Map<Long, Double> m = new HashMap<>();
      for (double[] p : points) {
        m.put((long) p[0], p[1]);
      }
      byTime.put(series, m);
    });
    int expectedAcked = 0;
    List<String> missing = new ArrayList<>();
    for (long seq : acked) {
      MetricBatch b = sent.get(seq);
      for (Series s : b.getSeriesList()) {
        long series = Long.parseLong(s.getLabels(1).getValue());
        Sample sm = s.getSamples(0);
        Double v = byTime.getOrDefault(series, Map.of()).get(sm.getTimestampMs());
        if (v == null || v != sm.getValue()) {
          missing.add("batch " + seq + " series " + series + " t=" + sm.getTimestampMs() + " stored " + v);
        }
        expectedAcked++;
      }
    }
    assertThat(missing).as("seed %d: acknowledged samples missing or wrong after SIGKILLs", seed).isEmpty();
    for (Map.Entry<Long, List<double[]>> e : stored.entrySet()) {
      List<double[]> points = e.getValue();
      for (int i = 1; i < points.size(); i++) {
        assertThat(points.get(i)[0]).as("seed %d: series %d has each timestamp once", seed, e.getKey())
            .isGreaterThan(points.get(i - 1)[0]);
      }
    }
    int storedCount = stored.values().stream().mapToInt(List::size).sum();
    assertThat(storedCount).isBetween(expectedAcked, sent.size() * SERIES);
    assertThat(acked.size()).isGreaterThanOrEqualTo(ROUNDS * 20);
  }

  private synchronized MetricBatch nextBatch() {
    long seq = sent.isEmpty() ? 1 : sent.lastKey() + 1;
    long t = base + seq * 1000;
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(seq);
    for (int i = 0; i < SERIES; i++) {
      b.addSeries(Series.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue("crash_test_counter"))
          .addLabels(Label.newBuilder().setName("s").setValue(Integer.toString(i)))
          .addSamples(Sample.newBuilder().setTimestampMs(t).setValue(seq * 10.0 + i)));
    }
    MetricBatch batch = b.build();
    sent.put(seq, batch);
    return batch;
  }

  private StreamObserver<AgentMessage> connect() throws Exception {
    channel = NettyChannelBuilder.forAddress("localhost", port)
        .sslContext(GrpcSslContexts.forClient().trustManager(dir.resolve("data/tls/ca.crt").toFile()).build())
        .build();
    StreamObserver<AgentMessage> out = AgentServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
      @Override
      public void onNext(ServerMessage m) {
        if (m.hasAck()) {
          acked.add(m.getAck().getSeq());
        } else if (m.hasEnrolled()) {
          nodeSecret = m.getEnrolled().getNodeSecret(); // the node's own credential from now on
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    Hello.Builder hello = Hello.newBuilder().setNodeId(NODE).setHostname(NODE).setOs("Linux test")
        .setAgentVersion("test").setIntervalMs(1000);
    if (nodeSecret == null) {
      hello.setEnrollmentToken(TestServer.TOKEN);
    } else {
      hello.setNodeSecret(nodeSecret);
    }
    out.onNext(AgentMessage.newBuilder().setHello(hello).build());
    return new SynchronizedObserver(out);
  }

  private void startChild() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dsyslens.bcrypt.cost=" + System.getProperty("syslens.bcrypt.cost", "12"), "-cp", System.getProperty("java.class.path"),
        "syslens.server.Main", "server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
        "--data", dir.resolve("data").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile()));
    pb.environment().put("SYSLENS_ADMIN_PASSWORD", TestServer.PASSWORD);
    pb.environment().put("SYSLENS_ENROLLMENT_TOKEN", TestServer.TOKEN);
    child = pb.start();
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
        if (!child.isAlive()) {
          throw new IllegalStateException("server exited with " + child.exitValue());
        }
        try {
          return get("/readyz", null).statusCode() == 200;
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException e) {
      throw new AssertionError("child server not ready: " + e.getMessage() + "\n--- child.log ---\n"
          + Files.readString(dir.resolve("child.log")), e);
    }
  }

  /** series index -> [t, v] pairs, from the server's query API. */
  private Map<Long, List<double[]>> storedSamples() throws Exception {
    HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\""
            + TestServer.PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    String token = TestServer.JSON.readTree(login.body()).get("token").asText();
    long end = base + (sent.lastKey() + 1) * 1000;
    HttpResponse<String> r = get("/api/v1/query?query=" + TestServer.enc("crash_test_counter[1h]")
        + "&time=" + end / 1000.0, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<Long, List<double[]>> out = new HashMap<>();
    for (JsonNode s : TestServer.JSON.readTree(r.body()).path("data").path("result")) {
      List<double[]> points = new ArrayList<>();
      for (JsonNode p : s.path("values")) {
        points.add(new double[] {p.get(0).asDouble() * 1000, Double.parseDouble(p.get(1).asText())});
      }
      out.put(s.path("metric").path("s").asLong(), points);
    }
    return out;
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** gRPC observers are not thread-safe: the resend loop and the sender share one stream. */
  private record SynchronizedObserver(StreamObserver<AgentMessage> delegate) implements StreamObserver<AgentMessage> {
    @Override
    public synchronized void onNext(AgentMessage m) {
      delegate.onNext(m);
    }

    @Override
    public synchronized void onError(Throwable t) {
      delegate.onError(t);
    }

    @Override
    public synchronized void onCompleted() {
      delegate.onCompleted();
    }
  }
}
