package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.collect.Metric;
import syslens.agent.net.TlsTrust;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Series;

/** The agent against an in-process TLS gRPC server (a stand-in for the real one). */
class AgentConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCerts ca;
  private static TestCerts.Server serverCert;

  @TempDir
  Path tmp;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicLong counter = new AtomicLong();

  @BeforeAll
  static void certs() throws Exception {
    ca = TestCerts.newCa("SysLens Test CA");
    serverCert = ca.issueServer("localhost", "127.0.0.1", "syslens-test-host");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private TestAgentServer server(TestCerts.Server cert, int port) throws Exception {
    TestAgentServer s = TestAgentServer.start(cert, port);
    closeables.add(s);
    return s;
  }

  private AgentBuilder agent(TestAgentServer server) {
    return Agent.builder()
        .server("127.0.0.1:" + server.port())
        .enrollmentToken("s3cret-token")
        .nodeId("node-a")
        .hostname("host-a")
        .label("env", "test")
        .interval(Duration.ofMillis(100))
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .source(() -> List.of(
            Metric.of("test_counter_total", counter.incrementAndGet(), "k", "v"),
            Metric.of("test_gauge", 1.5)));
  }

  /** The collection stamps of the rounds in {@code batches}, in the order sent (a merged batch holds several). */
  private static List<Long> roundStamps(List<MetricBatch> batches) {
    List<Long> stamps = new ArrayList<>();
    for (MetricBatch b : batches) {
      b.getSeries(0).getSamplesList().forEach(x -> stamps.add(x.getTimestampMs()));
    }
    return stamps;
  }

  private Agent started(AgentBuilder b) {
    Agent a = b.build();
    closeables.add(a);
    a.start();
    return a;
  }

  @Test
  void enrolled_secretStoredOwnerOnly_andPresentedByTheNextAgentWithoutToken() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    server.enrollSecret = "node-a-secret";
    Path state = tmp.resolve("state");
    Agent first = started(agent(server).caFile(ca.writeCaPem(tmp)).stateDir(state));
    await().atMost(WAIT).until(first::hasNodeCredential);
    first.close();
    Path file = state.resolve(NodeCredential.FILE);
    assertThat(java.nio.file.Files.getPosixFilePermissions(file))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(java.nio.file.Files.getPosixFilePermissions(state))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    Agent second = started(Agent.builder().server("127.0.0.1:" + server.port()).caFile(ca.writeCaPem(tmp))
        .nodeId("node-a").hostname("host-a").stateDir(state).interval(Duration.ofMillis(100))
        .source(() -> List.of(Metric.of("test_gauge", 1.5))));
    await().atMost(WAIT).until(() -> server.hellos.size() >= 2 && second.state() == AgentState.CONNECTED);
    assertThat(server.hellos.get(1).getNodeSecret()).isEqualTo("node-a-secret");
    assertThat(server.hellos.get(1).getEnrollmentToken()).isEmpty();
  }

  @Test
  void stateDir_credentialOfAnotherNodeId_isIgnored() throws Exception {
    Path state = tmp.resolve("other");
    NodeCredential.store(state, "node-b", "b-secret");
    assertThat(NodeCredential.load(state, "node-b")).isEqualTo("b-secret");
    assertThat(NodeCredential.load(state, "node-a")).isNull();
  }

  @Test
  void connect_caFile_helloThenGridStampedBatchesWithIncreasingSeqAndAcksClearBuffer()
      throws Exception {
    TestAgentServer server = server(serverCert, 0);
    Agent agent = started(agent(server).caFile(ca.writeCaPem(tmp)));

    await().atMost(WAIT).until(() -> server.batches.size() >= 4);
    assertThat(server.hellos).first().satisfies(h -> {
      assertThat(h.getEnrollmentToken()).isEqualTo("s3cret-token");
      assertThat(h.getNodeId()).isEqualTo("node-a");
      assertThat(h.getHostname()).isEqualTo("host-a");
      assertThat(h.getLabelsMap()).isEqualTo(Map.of("env", "test"));
      assertThat(h.getIntervalMs()).isEqualTo(100);
      assertThat(h.getOs()).isNotBlank();
      assertThat(h.getAgentVersion()).isNotBlank();
    });
    List<MetricBatch> got = List.copyOf(server.batches);
    long phase = Math.floorMod(CollectionScheduler.phaseSeed("node-a"), 100L);
    for (int i = 0; i < got.size(); i++) {
      MetricBatch b = got.get(i);
      // One batch a round; rounds still waiting when the stream opens go merged, under the last seq.
      assertThat(b.getSeq()).isEqualTo(i == 0 ? b.getSeq() : got.get(i - 1).getSeq() + 1);
      assertThat(b.getSeriesList()).hasSize(2);
      assertThat(b.getSeries(1).getSamplesCount()).isEqualTo(b.getSeries(0).getSamplesCount());
      assertThat(b.getSeriesList().stream().flatMap(x -> x.getSamplesList().stream()))
          .allSatisfy(x -> assertThat(x.getTimestampMs() % 100).isEqualTo(phase));
    }
    assertThat(got.get(0).getSeq()).isEqualTo(got.get(0).getSeries(0).getSamplesCount());
    assertThat(roundStamps(got)).doesNotHaveDuplicates().isSorted();
    assertThat(got.get(0).getSeries(0).getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
        .containsExactly("__name__=test_counter_total", "k=v");
    await().atMost(WAIT).until(() -> agent.lastAckedSeq() >= 4 && agent.state() == AgentState.CONNECTED);
    await().atMost(WAIT).until(() -> agent.bufferedBatches() <= 1);
    assertThat(agent.connectAttempts()).isEqualTo(1);
  }

  @Test
  void reconnect_serverRestarts_unackedBatchesResentInOrder() throws Exception {
    TestAgentServer first = server(serverCert, 0);
    int port = first.port();
    first.autoAck = false;
    Agent agent = started(agent(first).caFile(ca.writeCaPem(tmp)));
    await().atMost(WAIT).until(() -> first.batches.size() >= 3);
    first.close();
    long unacked = agent.lastSeq();
    assertThat(agent.bufferedBatches()).isGreaterThanOrEqualTo(3);

    TestAgentServer second = server(serverCert, port);

    await().atMost(WAIT).until(() -> agent.lastAckedSeq() >= unacked + 1);
    List<Long> seqs = second.batches.stream().map(MetricBatch::getSeq).toList();
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    // The backlog goes as one merged message under its last seq: every round once, in order.
    assertThat(seqs.get(0)).isGreaterThanOrEqualTo(unacked);
    assertThat(second.batches.get(0).getSeries(0).getSamplesCount()).isGreaterThanOrEqualTo((int) unacked);
    List<Long> stamps = roundStamps(second.batches);
    assertThat(stamps).isSorted().doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo((int) unacked + 1)
        .as("the rounds the first server saw, again").startsWith(roundStamps(first.batches).toArray(Long[]::new));
    assertThat(second.hellos).hasSize(1);
    assertThat(agent.connectAttempts()).isGreaterThanOrEqualTo(2);
    assertThat(agent.state()).isEqualTo(AgentState.CONNECTED);
  }

  @Test
  void restart_agentRestartedDuringOutage_everyBatchDeliveredOnceInOrderSameEpoch()
      throws Exception {
    TestAgentServer first = server(serverCert, 0);
    int port = first.port();
    first.autoAck = false;
    Path state = tmp.resolve("state");
    Agent agent = agent(first).caFile(ca.writeCaPem(tmp)).stateDir(state).build();
    AgentBuilder restarted = agent(first).caFile(ca.writeCaPem(tmp)).stateDir(state);
    agent.start();
    await().atMost(WAIT).until(() -> first.batches.size() >= 3);
    first.close(); // outage: nothing was acknowledged
    await().atMost(WAIT).until(() -> agent.lastSeq() >= 6);
    agent.close(); // the agent restarts during the outage
    long beforeRestart = agent.lastSeq();

    Agent again = started(restarted);
    TestAgentServer second = server(serverCert, port);

    await().atMost(WAIT).until(() -> again.lastAckedSeq() >= beforeRestart + 2);
    List<Long> seqs = second.batches.stream().map(MetricBatch::getSeq).toList();
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    assertThat(seqs.get(0)).as("the backlog merged into one message").isGreaterThanOrEqualTo(beforeRestart);
    List<Long> stamps = roundStamps(second.batches);
    // Sorted, not necessarily distinct: an agent restarted within one interval collects its first
    // round at the grid instant of the last one before the restart (a known gap, not the merge's).
    assertThat(stamps).isSorted().hasSizeGreaterThanOrEqualTo((int) beforeRestart + 2);
    assertThat(stamps).as("the rounds the first server saw, again")
        .startsWith(roundStamps(first.batches).toArray(Long[]::new));
    assertThat(second.hellos).allSatisfy(h ->
        assertThat(h.getSeqEpoch()).isEqualTo(first.hellos.get(0).getSeqEpoch()).isNotZero());
  }

  @Test
  void collect_sourceThrowsOutOfMemoryError_laterRoundsStillCollectedAndSent() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    AtomicLong calls = new AtomicLong();
    Agent agent = started(agent(server).caFile(ca.writeCaPem(tmp)).source(() -> {
      if (calls.incrementAndGet() <= 2) {
        throw new OutOfMemoryError("Java heap space (injected)");
      }
      return List.of(Metric.of("test_gauge", calls.get()));
    }));

    await().atMost(WAIT).until(() -> server.batches.size() >= 3);

    assertThat(calls.get()).isGreaterThanOrEqualTo(5);
    assertThat(server.batches.get(0).getSeq()).isEqualTo(1);
    assertThat(server.batches.get(0).getSeries(0).getSamples(0).getValue()).isEqualTo(3.0);
    assertThat(agent.state()).isIn(AgentState.CONNECTED, AgentState.CONNECTING);
  }

  @Test
  void fatalReject_wrongToken_stopsWithoutFurtherAttempts() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    server.expectedToken = "the-right-token";
    Agent agent = started(agent(server).caFile(ca.writeCaPem(tmp)));

    assertThat(agent.awaitStopped(WAIT)).isTrue();

    assertThat(agent.state()).isEqualTo(AgentState.STOPPED_FATAL);
    assertThat(agent.lastRejectReason()).isEqualTo("UNAUTHENTICATED: bad enrollment token");
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
        .until(() -> server.streams.get() == 1 && agent.connectAttempts() == 1);
  }

  @Test
  void nonFatalReject_batchDroppedAndStreamContinues() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    server.rejectSeqs.add(2L);
    Agent agent = started(agent(server).caFile(ca.writeCaPem(tmp)));

    await().atMost(WAIT).until(() -> agent.lastAckedSeq() >= 4);

    assertThat(agent.lastRejectReason()).isEqualTo("INVALID_ARGUMENT: sample value is NaN");
    assertThat(agent.state()).isEqualTo(AgentState.CONNECTED);
    assertThat(server.streams.get()).isEqualTo(1);
    assertThat(server.batches.stream().filter(b -> b.getSeq() == 2)).hasSize(1);
  }

  @Test
  void fingerprint_matchingCaWithColonsUpperCase_connects() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    String hex = TlsTrust.fingerprintOf(ca.ca).toUpperCase();
    String colons = String.join(":", hex.split("(?<=\\G..)"));
    Agent agent = started(agent(server).caFingerprint(colons));

    await().atMost(WAIT).until(() -> agent.lastAckedSeq() >= 1);
    assertThat(server.hellos).hasSize(1);
  }

  @Test
  void fingerprint_mismatch_tlsHandshakeFailsAndNothingReachesServer() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    TestCerts otherCa = TestCerts.newCa("Some Other CA");
    Agent agent = started(agent(server).caFingerprint(TlsTrust.fingerprintOf(otherCa.ca)));

    await().atMost(WAIT).until(() -> agent.connectAttempts() >= 2 && agent.lastConnectError() != null);

    assertThat(agent.lastConnectError()).contains("does not contain the CA with SHA-256 fingerprint");
    assertThat(agent.state()).isEqualTo(AgentState.CONNECTING);
    assertThat(server.streams.get()).isZero();
    assertThat(agent.bufferedBatches()).isPositive();
  }

  @Test
  void hostname_notInSans_rejectedWithCaFileAndWithFingerprint() throws Exception {
    TestAgentServer server = server(ca.issueServer("elsewhere.example"), 0);
    Agent byFile = started(agent(server).caFile(ca.writeCaPem(tmp)));
    Agent byPin = started(agent(server).caFingerprint(TlsTrust.fingerprintOf(ca.ca)));

    await().atMost(WAIT).until(() -> byFile.lastConnectError() != null
        && byPin.lastConnectError() != null);

    assertThat(byFile.lastConnectError()).containsIgnoringCase("127.0.0.1");
    assertThat(byPin.lastConnectError()).containsIgnoringCase("127.0.0.1");
    assertThat(server.streams.get()).isZero();
  }

  @Test
  void configUpdate_newInterval_appliedOnTheNewGrid() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    server.configIntervalMs = 300;
    Agent agent = started(agent(server).caFile(ca.writeCaPem(tmp)));

    await().atMost(WAIT).until(() -> agent.interval().equals(Duration.ofMillis(300)));
    long mark = agent.lastSeq() + 1; // a round may have been running while the interval changed
    await().atMost(WAIT).until(() -> server.batches.stream().filter(b -> b.getSeq() > mark).count() >= 3);

    List<Long> later = server.batches.stream().filter(b -> b.getSeq() > mark)
        .map(b -> b.getSeries(0).getSamples(0).getTimestampMs()).toList();
    long phase = Math.floorMod(CollectionScheduler.phaseSeed("node-a"), 300L);
    assertThat(later).allSatisfy(t -> assertThat(t % 300).isEqualTo(phase));
  }

  @Test
  void heartbeat_sentAtItsInterval() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    started(agent(server).caFile(ca.writeCaPem(tmp)).heartbeatInterval(Duration.ofMillis(50)));

    await().atMost(WAIT).until(() -> server.heartbeats.get() >= 3);
  }

  @Test
  void heartbeat_whileBatchesFlow_notSent() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    started(agent(server).caFile(ca.writeCaPem(tmp)).interval(Duration.ofMillis(100))
        .heartbeatInterval(Duration.ofMillis(1000)));

    // 30 batches, ~3 heartbeat ticks: each tick finds a batch sent since the last one. At most
    // one may go, a tick between the Hello and the stream's first batch.
    await().atMost(WAIT).until(() -> server.batches.size() >= 30);
    assertThat(server.heartbeats.get()).isLessThanOrEqualTo(1);
  }

  @Test
  void bigRound_splitIntoBatchesOfAtMost2000Series() throws Exception {
    TestAgentServer server = server(serverCert, 0);
    List<Metric> many = new ArrayList<>();
    for (int i = 0; i < 4500; i++) {
      many.add(Metric.of("m", i, "i", Integer.toString(i)));
    }
    started(agent(server).caFile(ca.writeCaPem(tmp)).interval(Duration.ofMinutes(1))
        .source(() -> many));

    await().atMost(WAIT).until(() -> server.batches.size() >= 3);
    List<MetricBatch> first = server.batches.subList(0, 3);
    assertThat(first).extracting(MetricBatch::getSeriesCount).containsExactly(2000, 2000, 500);
    assertThat(first.stream().flatMap(b -> b.getSeriesList().stream())
        .map((Series s) -> s.getSamples(0).getTimestampMs()).distinct()).hasSize(1);
  }
}
