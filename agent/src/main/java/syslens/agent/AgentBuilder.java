package syslens.agent;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import syslens.agent.collect.CollectConfig;
import syslens.agent.collect.Metric;
import syslens.agent.net.AgentConnection;
import syslens.agent.net.TlsTrust;
import syslens.agent.v1.lite.Hello;
import syslens.agent.v1.lite.Reject;

/** Settings of an {@link Agent}; the server address, one trust option and the token are required. */
public final class AgentBuilder {
  String host = "127.0.0.1";
  int port = 8080;
  TlsTrust trust;
  String token;
  Path stateDir;
  Duration interval = Duration.ofSeconds(10);
  String nodeId;
  String hostname;
  final Map<String, String> labels = new LinkedHashMap<>();
  Clock clock = Clock.systemUTC();
  Path procRoot = Path.of("/proc");
  Path sysRoot = Path.of("/sys");
  Duration heartbeat = Duration.ofSeconds(10);
  Duration backoffInitial = Duration.ofSeconds(1);
  Duration backoffMax = Duration.ofSeconds(60);
  int maxBufferedBatches;
  long maxBufferedBytes;
  boolean diskBuffer = true;
  int maxSeriesPerBatch = Agent.MAX_SERIES_PER_BATCH;
  Supplier<List<Metric>> source;
  CollectConfig collect = CollectConfig.defaults();

  AgentBuilder() {}

  /** Collectors on/off, top processes, mount timeout, scrape targets, custom commands. */
  public AgentBuilder collect(CollectConfig collect) {
    this.collect = requireNonNull(collect, "collect").validate();
    return this;
  }

  java.util.function.Consumer<RemoteConfig> onRemoteConfig = c -> { };
  Runnable onRestart = () -> LoggerFactory.getLogger(Agent.class).warn("restart requested by the server, but no restart hook is set");
  boolean allowShell;
  final List<AgentConnection.Address> failover = new java.util.ArrayList<>();

  /**
   * Several servers, {@code host:port} each, tried in order: the agent moves to the next when a
   * connect fails (no Ack or configuration on the stream), after the last back to the first.
   */
  public AgentBuilder servers(List<String> hostPorts) {
    if (requireNonNull(hostPorts, "hostPorts").isEmpty()) {
      throw new IllegalArgumentException("servers: none (expected: at least one host:port)");
    }
    server(hostPorts.get(0));
    failover.clear();
    for (String hp : hostPorts.subList(1, hostPorts.size())) {
      HostPort p = HostPort.parse(hp);
      failover.add(new AgentConnection.Address(p.host(), p.port()));
    }
    return this;
  }

  /** Called (on the connection's thread) with every configuration the server sends, after it is applied. */
  public AgentBuilder onRemoteConfig(java.util.function.Consumer<RemoteConfig> listener) {
    this.onRemoteConfig = requireNonNull(listener, "listener");
    return this;
  }

  /** What the {@code restart} command does after it is answered (AgentMain: exit so systemd restarts the agent). */
  public AgentBuilder onRestart(Runnable hook) {
    this.onRestart = requireNonNull(hook, "hook");
    return this;
  }

  /** Lets the server run arbitrary shell command lines here (the {@code shell} command); off by default. */
  public AgentBuilder allowShellCommands(boolean allow) {
    this.allowShell = allow;
    return this;
  }

  /** {@code host:port}, {@code [ipv6]:port}; default {@code 127.0.0.1:8080}. */
  public AgentBuilder server(String hostPort) {
    HostPort hp = HostPort.parse(hostPort);
    return server(hp.host(), hp.port());
  }

  public AgentBuilder server(String host, int port) {
    this.host = requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    this.port = port;
    return this;
  }

  /** Trust the CA certificate(s) in this PEM file. */
  public AgentBuilder caFile(Path caFile) {
    this.trust = TlsTrust.caFile(caFile);
    return this;
  }

  /** Trust the server chain whose CA certificate has this SHA-256 fingerprint (hex, colons ok). */
  public AgentBuilder caFingerprint(String sha256) {
    this.trust = TlsTrust.fingerprint(sha256);
    return this;
  }

  public AgentBuilder enrollmentToken(String token) {
    this.token = requireNonNull(token, "token");
    return this;
  }

  /** Where the node credential is kept (created 0700); without it the credential lives in memory. */
  public AgentBuilder stateDir(Path stateDir) {
    this.stateDir = requireNonNull(stateDir, "stateDir");
    return this;
  }

  /** Collection interval; default 10 s, at least 100 ms. */
  public AgentBuilder interval(Duration interval) {
    requireNonNull(interval, "interval");
    if (interval.compareTo(Agent.MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("interval: " + Durations.format(interval)
          + " (expected: >= " + Durations.format(Agent.MIN_INTERVAL) + ")");
    }
    this.interval = interval;
    return this;
  }

  /** Stable node id; default: the host name. */
  public AgentBuilder nodeId(String nodeId) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    return this;
  }

  /** Host name sent in Hello; default: the kernel's host name. */
  public AgentBuilder hostname(String hostname) {
    this.hostname = requireNonNull(hostname, "hostname");
    return this;
  }

  public AgentBuilder label(String name, String value) {
    labels.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
    return this;
  }

  public AgentBuilder labels(Map<String, String> labels) {
    requireNonNull(labels, "labels").forEach(this::label);
    return this;
  }

  public AgentBuilder clock(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    return this;
  }

  public AgentBuilder procRoot(Path procRoot) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    return this;
  }

  public AgentBuilder sysRoot(Path sysRoot) {
    this.sysRoot = requireNonNull(sysRoot, "sysRoot");
    return this;
  }

  /**
   * Heartbeat period; default 10 s. A tick sends no heartbeat when a batch went since the last
   * one (at the default 10 s interval: none while data flows); the server counts a node offline
   * after at least 30 s of silence.
   */
  public AgentBuilder heartbeatInterval(Duration heartbeat) {
    this.heartbeat = requireNonNull(heartbeat, "heartbeat");
    return this;
  }

  /** Reconnect backoff, doubling from {@code initial} to {@code max}; default 1 s to 60 s. */
  public AgentBuilder reconnectBackoff(Duration initial, Duration max) {
    this.backoffInitial = requireNonNull(initial, "initial");
    this.backoffMax = requireNonNull(max, "max");
    return this;
  }

  /**
   * Unacked batches kept at most (oldest dropped beyond). Defaults: 256 MiB and 1,000,000
   * batches on disk (about a week of rounds for a typical host), 16 MiB and 10,000 batches when
   * the buffer is in memory.
   */
  public AgentBuilder maxBuffered(int batches, long bytes) {
    this.maxBufferedBatches = batches;
    this.maxBufferedBytes = bytes;
    return this;
  }

  /**
   * Keeps unacked batches under {@code stateDir/buffer} so they survive a restart (default
   * true; without a state directory the buffer is in memory).
   */
  public AgentBuilder diskBuffer(boolean disk) {
    this.diskBuffer = disk;
    return this;
  }

  boolean onDisk() {
    return stateDir != null && diskBuffer;
  }

  int maxBatches() {
    return maxBufferedBatches > 0 ? maxBufferedBatches : onDisk() ? 1_000_000 : 10_000;
  }

  long maxBytes() {
    return maxBufferedBytes > 0 ? maxBufferedBytes
        : onDisk() ? Agent.DEFAULT_DISK_BUFFER_BYTES : Agent.DEFAULT_MEMORY_BUFFER_BYTES;
  }

  /** Series per batch at most; default and maximum 2,000. */
  public AgentBuilder maxSeriesPerBatch(int maxSeries) {
    if (maxSeries < 1 || maxSeries > Agent.MAX_SERIES_PER_BATCH) {
      throw new IllegalArgumentException("maxSeriesPerBatch: " + maxSeries
          + " (expected: 1-" + Agent.MAX_SERIES_PER_BATCH + ")");
    }
    this.maxSeriesPerBatch = maxSeries;
    return this;
  }

  /** Replaces the /proc collectors (tests). */
  AgentBuilder source(Supplier<List<Metric>> source) {
    this.source = requireNonNull(source, "source");
    return this;
  }

  /**
   * @throws IllegalArgumentException when the trust is missing, or both the token and a stored credential
   * @throws UncheckedIOException when the CA file cannot be read
   */
  public Agent build() {
    if (trust == null) {
      throw new IllegalArgumentException(
          "trust: none (expected: caFile or caFingerprint; the agent always uses TLS)");
    }
    if (stateDir == null && (token == null || token.isBlank())) {
      throw new IllegalArgumentException("enrollmentToken: empty (expected: the server's token)");
    }
    if (hostname == null) {
      hostname = HostInfo.hostname(procRoot);
    }
    if (nodeId == null) {
      nodeId = hostname;
    }
    try {
      return new Agent(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }
}
