package syslens.agent;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.collect.ExternalSources;
import syslens.agent.collect.LinuxCollectors;
import syslens.agent.collect.Metric;
import syslens.agent.net.AgentConnection;
import syslens.agent.net.BatchBuffer;
import syslens.agent.net.TlsTrust;
import syslens.agent.v1.lite.Hello;
import syslens.agent.v1.lite.Reject;

/**
 * The host agent: collects every interval on the grid, buffers rounds as seq-numbered batches and
 * streams them to the server over TLS until {@link #close()} or a fatal Reject. Usable in-process
 * (tests) as well as from {@link AgentMain}.
 */
public final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  static final int MAX_SERIES_PER_BATCH = 2000;
  /** Under the state directory: unacknowledged batches (docs/format/agent-buffer.md). */
  static final String BUFFER_DIR = "buffer";
  static final long DEFAULT_DISK_BUFFER_BYTES = 256L << 20;
  static final long DEFAULT_MEMORY_BUFFER_BYTES = 16L << 20;
  /** How long a round waits for scrape targets and commands before sending what it has. */
  static final Duration EXTERNAL_ROUND_WAIT = Duration.ofSeconds(1);

  private final AgentBuilder config;
  private final Supplier<List<Metric>> source;
  /** Scrape targets and custom commands, or null when none are configured. */
  private final ExternalSources external;
  private final BatchBuffer buffer;
  private final ScheduledExecutorService collectExecutor;
  private final ScheduledExecutorService netExecutor;
  private final CollectionScheduler scheduler;
  private final AgentConnection connection;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile AgentState lifecycle = AgentState.NEW;
  private volatile int lastRoundSeries;
  /** This node's credential once enrolled (docs/adr/0003-per-node-credentials.md), else null. */
  private volatile String nodeSecret;
  /** The node's key and client certificate (docs/adr/0006-agent-certificates.md). */
  private final NodeCertificate identity;
  /** A renewal was asked for by reconnecting; not again until a new certificate arrives. */
  private volatile boolean renewalAsked;
  /** The built-in collectors (null when a test gives its own source): the server may switch some off. */
  private LinuxCollectors linuxCollectors;
  /** The configuration the server sent last (version 0 before any). */
  private volatile RemoteConfig remoteConfig;

  Agent(AgentBuilder b) throws IOException {
    this.config = b;
    Supplier<List<Metric>> src = b.source;
    this.external = ExternalSources.create(b.collect, EXTERNAL_ROUND_WAIT);
    if (src == null) {
      if (HostInfo.isLinux()) {
        LinuxCollectors collectors = LinuxCollectors.create(b.procRoot, b.sysRoot, b.clock, b.collect);
        this.linuxCollectors = collectors;
        src = collectors::collect;
      } else {
        src = OshiSource.create(b.clock); // Windows, macOS: OSHI, loaded only here
      }
    }
    if (external != null) {
      Supplier<List<Metric>> host = src;
      src = () -> {
        List<Metric> all = new java.util.ArrayList<>(host.get());
        external.collect(all);
        return all;
      };
    }
    this.remoteConfig = RemoteConfig.initial(b.interval);
    this.source = src;
    this.nodeSecret = b.stateDir == null ? null : NodeCredential.load(b.stateDir, b.nodeId);
    this.identity = NodeCertificate.load(b.stateDir, b.nodeId);
    if (nodeSecret == null && identity.certificate() == null && (b.token == null || b.token.isBlank())) {
      throw new IllegalArgumentException("enrollmentToken: none and no node credential in "
          + b.stateDir + " (expected: the server's enrollment token for the first connection)");
    }
    this.buffer = b.stateDir != null && b.diskBuffer
        ? BatchBuffer.open(b.stateDir.resolve(BUFFER_DIR), b.maxBatches(), b.maxBytes())
        : BatchBuffer.create(b.maxBatches(), b.maxBytes());
    this.collectExecutor = Executors.newSingleThreadScheduledExecutor(
        r -> daemon(r, "syslens-agent-collect"));
    this.netExecutor = Executors.newSingleThreadScheduledExecutor(
        r -> daemon(r, "syslens-agent-net"));
    this.scheduler = new CollectionScheduler(collectExecutor, b.clock, b.interval,
        CollectionScheduler.phaseSeed(b.nodeId), this::round);
    TlsTrust trust = b.trust.withClientKey(() -> {
      X509Certificate cert = identity.certificate();
      return cert == null ? null : new TlsTrust.ClientKey(identity.privateKey(), cert);
    });
    this.connection = new AgentConnection(b.host, b.port, trust, buffer, this::hello,
        new AgentConnection.Listener() {
          @Override
          public void onConfig(long collectIntervalMs) {
            applyInterval(collectIntervalMs);
          }

          @Override
          public void onConfigUpdate(syslens.agent.v1.lite.ConfigUpdate update) {
            applyConfig(update);
          }

          @Override
          public void onCommand(syslens.agent.v1.lite.Command command) {
            AgentCommands.handle(Agent.this, command, connection::sendResult);
          }

          @Override
          public void onFatal(Reject reject) {
            stopAfterFatal();
          }

          @Override
          public void onEnrolled(String secret) {
            saveCredential(secret);
          }

          @Override
          public boolean onCertificate(byte[] der) {
            return saveCertificate(der);
          }
        }, b.clock, b.heartbeat, b.backoffInitial, b.backoffMax, netExecutor);
    if (!b.failover.isEmpty()) {
      connection.failover(b.failover);
    }
  }

  /** The server the agent uses now ("host:port"; changes on failover). */
  public String currentServer() {
    return connection.currentServer();
  }

  public static AgentBuilder builder() {
    return new AgentBuilder();
  }

  /** Starts collecting and connecting; returns at once. */
  public synchronized void start() {
    if (lifecycle != AgentState.NEW) {
      throw new IllegalStateException("state: " + lifecycle + " (expected: NEW)");
    }
    if (config.source == null && !HostInfo.isSupported()) {
      throw new IllegalStateException("os: " + System.getProperty("os.name")
          + " (expected: Linux, Windows or macOS)");
    }
    lifecycle = AgentState.CONNECTING;
    log.info("agent {} starting: node {}, server {}:{}, interval {}", HostInfo.agentVersion(),
        config.nodeId, config.host, config.port, Durations.format(config.interval));
    connection.start();
    scheduler.start();
    long every = config.heartbeat.toMillis();
    netExecutor.scheduleWithFixedDelay(this::renewIfDue, every, every, TimeUnit.MILLISECONDS);
  }

  /** Stops collecting, half-closes the stream and releases threads. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (lifecycle == AgentState.STOPPED) {
        return;
      }
      if (lifecycle != AgentState.STOPPED_FATAL) {
        lifecycle = AgentState.STOPPED;
      }
    }
    scheduler.stop();
    collectExecutor.shutdownNow();
    connection.close(Duration.ofSeconds(2));
    netExecutor.shutdownNow();
    if (external != null) {
      external.close();
    }
    if (linuxCollectors != null) {
      linuxCollectors.close();
    }
    buffer.close();
    stopped.countDown();
  }

  /** Waits until the agent stops (fatal Reject or {@link #close()}); true if it did in time. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public AgentState state() {
    AgentState s = lifecycle;
    if (s == AgentState.NEW || s == AgentState.STOPPED || s == AgentState.STOPPED_FATAL) {
      return s;
    }
    if (connection.isStoppedFatal()) {
      return AgentState.STOPPED_FATAL;
    }
    return connection.isConnected() ? AgentState.CONNECTED : AgentState.CONNECTING;
  }

  /** Highest seq the server acknowledged (0 before the first Ack). */
  public long lastAckedSeq() {
    return connection.lastAckedSeq();
  }

  /** Highest seq created so far (0 before the first round). */
  public long lastSeq() {
    return buffer.lastSeq();
  }

  /** "CODE: reason" of the last Reject from the server, or null. */
  public String lastRejectReason() {
    return connection.lastRejectReason();
  }

  /** The last stream failure (e.g. a TLS handshake error), or null. */
  public String lastConnectError() {
    return connection.lastError();
  }

  /** Streams opened so far, the first included. */
  public long connectAttempts() {
    return connection.connectAttempts();
  }

  /** Batches waiting for an Ack. */
  public int bufferedBatches() {
    return buffer.size();
  }

  /** Batches dropped because the buffer was full. */
  public long droppedBatches() {
    return buffer.droppedBatches();
  }

  /** Series in the last round. */
  public int lastRoundSeries() {
    return lastRoundSeries;
  }

  /** The collection interval in force (the server may change it). */
  public Duration interval() {
    return scheduler.interval();
  }

  public String nodeId() {
    return config.nodeId;
  }

  private void round(long stampMs) {
    List<Metric> metrics = source.get();
    lastRoundSeries = metrics.size();
    for (var series : Rounds.toBatches(metrics, stampMs, config.maxSeriesPerBatch)) {
      long seq = buffer.append(series);
      log.trace("round {}: batch {} with {} series", stampMs, seq, series.size());
    }
    connection.wake();
  }

  private Hello hello() {
    Hello.Builder h = Hello.newBuilder()
        .setNodeId(config.nodeId)
        .setHostname(config.hostname)
        .setOs(HostInfo.os())
        .setAgentVersion(HostInfo.agentVersion())
        .putAllLabels(config.labels)
        .setIntervalMs(scheduler.interval().toMillis())
        .setSeqEpoch(buffer.epoch())
        .setConfigVersion(remoteConfig.version());
    boolean certified = identity.certificate() != null;
    String secret = nodeSecret;
    if (secret != null && !certified) {
      h.setNodeSecret(secret);
    }
    if (config.token != null && secret == null && !certified) {
      h.setEnrollmentToken(config.token);
    }
    if (identity.wantsCertificate(config.clock)) {
      // First enrolment, a node moving from its secret to a certificate, or a renewal.
      try {
        h.setCsr(com.google.protobuf.ByteString.copyFrom(identity.request()));
      } catch (IOException e) {
        log.error("node {}: cannot create its key or certificate request in {} ({}); connecting without one",
            config.nodeId, config.stateDir, e.getMessage());
      }
    }
    return h.build();
  }

  /**
   * A stream lives as long as the agent, but a certificate is only renewed in a Hello: when a
   * third of its lifetime is left, start a new stream once (again after each new certificate).
   */
  private void renewIfDue() {
    if (!renewalAsked && identity.certificate() != null && connection.isConnected()
        && identity.wantsCertificate(config.clock)) {
      renewalAsked = true;
      log.info("node {}: client certificate expires {}; asking the server for a new one", config.nodeId,
          identity.certificate().getNotAfter().toInstant());
      connection.reconnect();
    }
  }

  private boolean saveCertificate(byte[] der) {
    try {
      identity.accept(der, config.clock);
      renewalAsked = false;
      X509Certificate c = identity.certificate();
      log.info("node {}: client certificate serial {} valid until {}{}", config.nodeId,
          c.getSerialNumber().toString(16), c.getNotAfter().toInstant(), config.stateDir == null
              ? " (no state directory: kept in memory only)" : ", stored in " + config.stateDir);
      return true;
    } catch (IOException e) {
      log.error("node {}: the client certificate from the server cannot be used or stored ({})", config.nodeId,
          e.getMessage());
      return false;
    }
  }

  private void saveCredential(String secret) {
    if (secret.isEmpty()) {
      return;
    }
    nodeSecret = secret;
    if (config.stateDir == null) {
      log.warn("node {} enrolled; no state directory set, so the credential lives in memory only and a "
          + "restarted agent cannot reconnect as this node", config.nodeId);
      return;
    }
    try {
      NodeCredential.store(config.stateDir, config.nodeId, secret);
      log.info("node {} enrolled; credential stored in {}", config.nodeId,
          config.stateDir.resolve(NodeCredential.FILE));
    } catch (IOException e) {
      log.error("node {} enrolled but storing its credential in {} failed ({}); after a restart this node "
          + "cannot reconnect until an admin deletes its credential on the server", config.nodeId,
          config.stateDir, e.toString());
    }
  }

  /** True once the node holds its own credential (enrolled now or earlier). */
  public boolean hasNodeCredential() {
    return nodeSecret != null || identity.certificate() != null;
  }

  /** The node's client certificate (mutual TLS), or null before the server issued one. */
  public X509Certificate clientCertificate() {
    return identity.certificate();
  }

  private void applyInterval(long ms) {
    if (ms == 0 || ms == scheduler.interval().toMillis()) {
      return;
    }
    if (ms < MIN_INTERVAL.toMillis()) {
      log.warn("server asked for collect interval {} ms (expected: >= {} ms); keeping {}", ms,
          MIN_INTERVAL.toMillis(), Durations.format(scheduler.interval()));
      return;
    }
    scheduler.setInterval(Duration.ofMillis(ms));
    log.info("collect interval is now {} (set by the server)",
        Durations.format(Duration.ofMillis(ms)));
  }

  /** Applies the server's configuration without a restart, then reports its version. */
  private void applyConfig(syslens.agent.v1.lite.ConfigUpdate u) {
    applyInterval(u.getCollectIntervalMs());
    RemoteConfig c = RemoteConfig.of(u, scheduler.interval());
    if (linuxCollectors != null) {
      linuxCollectors.disable(c.disabledCollectors());
    }
    RemoteConfig before = remoteConfig;
    remoteConfig = c;
    if (before.version() != c.version()) {
      log.info("configuration version {} applied (interval {}, collectors off: {}, {} scrape targets, {} custom "
          + "commands)", c.version(), Durations.format(c.interval()), c.disabledCollectors(), c.scrapeTargets().size(),
          c.customCommands().size());
    }
    connection.reportConfigVersion(c.version());
    config.onRemoteConfig.accept(c);
  }

  /** The configuration the server sent last (version 0: none yet, the agent's own settings). */
  public RemoteConfig remoteConfig() {
    return remoteConfig;
  }

  /** Collects a round now, off the grid (the {@code collect_now} command); returns its series. */
  int collectNow() throws Exception {
    return collectExecutor.submit(() -> {
      round(config.clock.millis());
      return lastRoundSeries;
    }).get(60, TimeUnit.SECONDS);
  }

  /** What the {@code diagnostics} command reports. */
  String diagnostics() {
    RemoteConfig c = remoteConfig;
    return "agent " + HostInfo.agentVersion() + ", node " + config.nodeId + ", state " + state()
        + "\ninterval " + Durations.format(scheduler.interval()) + ", config version " + c.version()
        + ", collectors off " + c.disabledCollectors()
        + "\nlast seq " + lastSeq() + ", last acked " + lastAckedSeq() + ", buffered " + bufferedBatches()
        + ", dropped " + droppedBatches() + "\nlast round series " + lastRoundSeries
        + ", connect attempts " + connectAttempts() + ", last error " + lastConnectError()
        + "\njava " + System.getProperty("java.version") + ", heap used "
        + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) + " bytes";
  }

  boolean shellAllowed() {
    return config.allowShell;
  }

  Runnable restartHook() {
    return config.onRestart;
  }

  private void stopAfterFatal() {
    synchronized (this) {
      if (lifecycle == AgentState.STOPPED) {
        return;
      }
      lifecycle = AgentState.STOPPED_FATAL;
    }
    scheduler.stop();
    collectExecutor.shutdown();
    stopped.countDown();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
