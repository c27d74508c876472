package syslens.agent.net;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.lite.AgentMessage;
import syslens.agent.v1.lite.AgentServiceGrpc;
import syslens.agent.v1.lite.Command;
import syslens.agent.v1.lite.CommandResult;
import syslens.agent.v1.lite.ConfigUpdate;
import syslens.agent.v1.lite.Heartbeat;
import syslens.agent.v1.lite.Hello;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Reject;
import syslens.agent.v1.lite.ServerMessage;

/**
 * The agent's one bidirectional stream to the server, re-opened with backoff when it fails.
 * Each stream starts with Hello, then sends every buffered batch in seq order (so a new stream
 * resends what was not acked), with gRPC flow control. A heartbeat goes at a fixed rate only when
 * no batch went on the stream since the last one: a stored batch tells the server as much (the
 * node is there), and a new configuration version is reported at once.
 *
 * <p>All stream state is touched only on the single-threaded {@code executor}, which is also the
 * gRPC channel's executor, so no locks are needed; public methods hop onto it.
 */
public final class AgentConnection {

  private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);
  private static final int MAX_DISTINCT_REJECTS_LOGGED = 100;

  /** What the connection tells its owner. Called on the connection's executor. */
  public interface Listener {
    /** The server asked for another collection interval. */
    void onConfig(long collectIntervalMs);

    /** The server refused the agent for good; the connection is closed and will not retry. */
    void onFatal(Reject reject);

    /** The server enrolled this node id: {@code nodeSecret} is its credential from now on. */
    default void onEnrolled(String nodeSecret) {}

    /**
     * The server issued a client certificate (DER) for this node; true when it was stored and
     * the trust's client key now returns it: the connection then reconnects over mutual TLS.
     */
    default boolean onCertificate(byte[] der) {
      return false;
    }

    /** The server sent the node's whole configuration; by default only its interval is used. */
    default void onConfigUpdate(ConfigUpdate update) {
      onConfig(update.getCollectIntervalMs());
    }

    /** The server asks the agent to run a command; answer with {@link #sendResult}. */
    default void onCommand(Command command) {}
  }

  /** The server in use now (the first address until a connect to it fails and another is tried). */
  private volatile String host;
  private volatile int port;
  /** Every server address, the one given first; see {@link #failover}. */
  private List<Address> addresses;
  private int active;
  private final BatchBuffer buffer;
  private final Supplier<Hello> hello;
  private final Listener listener;
  private final Clock clock;
  private final Duration heartbeat;
  private final Backoff backoff;
  private final ScheduledExecutorService executor;
  private final TlsTrust trust;
  /** Rebuilt (a new TLS context and connection) when the node's client certificate changes. */
  private volatile ManagedChannel channel;
  /** Set when a new client certificate arrived: the next stream opens a fresh TLS connection. */
  private boolean newCertificate;

  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong lastAcked = new AtomicLong();
  private final Set<String> loggedRejects = new HashSet<>();
  private final RefusalLog refusals;
  private volatile boolean connected;
  private volatile boolean fatal;
  private volatile boolean closed;
  private volatile String lastRejectReason;
  private volatile long configVersion;
  private volatile String lastError;
  private String lastLoggedError;
  private Session current;

  /**
   * @param executor single-threaded; owned by the caller, who shuts it down after {@link #close}
   */
  public AgentConnection(String host, int port, TlsTrust trust, BatchBuffer buffer,
      Supplier<Hello> hello, Listener listener, Clock clock, Duration heartbeat,
      Duration backoffInitial, Duration backoffMax, ScheduledExecutorService executor)
      throws IOException {
    this.host = requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    this.port = port;
    this.buffer = requireNonNull(buffer, "buffer");
    this.hello = requireNonNull(hello, "hello");
    this.listener = requireNonNull(listener, "listener");
    this.clock = requireNonNull(clock, "clock");
    this.refusals = new RefusalLog(clock, Duration.ofMinutes(1));
    this.heartbeat = requireNonNull(heartbeat, "heartbeat");
    if (heartbeat.toMillis() < 1) {
      throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: >= 1ms)");
    }
    this.backoff = new Backoff(backoffInitial, backoffMax, Math::random);
    this.executor = requireNonNull(executor, "executor");
    this.trust = requireNonNull(trust, "trust");
    this.addresses = List.of(new Address(host, port));
    this.channel = newChannel(host, port);
  }

  /** One server address of a {@link #failover} list. */
  public record Address(String host, int port) {
    public Address {
      requireNonNull(host, "host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
    }
  }

  /**
   * Further servers to try, in order, when a connect to the current one fails (no Ack or
   * ConfigUpdate on the stream); after the last comes the first again. Call before {@link #start}.
   */
  public void failover(List<Address> more) {
    List<Address> all = new java.util.ArrayList<>();
    all.add(addresses.get(0));
    all.addAll(requireNonNull(more, "more"));
    addresses = List.copyOf(all);
  }

  /** The server in use now, "host:port". */
  public String currentServer() {
    return host + ":" + port;
  }

  /** On the executor: the stream to the current server never got accepted; move to the next address. */
  private void nextAddress() {
    if (addresses.size() < 2) {
      return;
    }
    active = (active + 1) % addresses.size();
    Address a = addresses.get(active);
    ManagedChannel old = channel;
    channel = newChannel(a.host(), a.port());
    host = a.host();
    port = a.port();
    old.shutdownNow();
    log.info("failing over to server {}:{}", host, port);
  }

  /**
   * A channel with the trust's current TLS context (a new client certificate: a new context).
   * gRPC's OkHttp transport over the JDK's TLS socket: a blocking reader thread per connection
   * (gRPC's shared pool, idle threads end) instead of Netty's event loop, ~800 fewer classes and
   * ~9 MiB less RSS (docs/benchmarks.md, agent footprint). Keepalive pings and timers run on
   * {@code executor}, so gRPC starts no timer thread.
   */
  private ManagedChannel newChannel(String host, int port) {
    TlsTrust.probeTransportPlatform();
    javax.net.ssl.SSLContext ctx;
    try {
      ctx = trust.sslContext();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("TLS settings for " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return OkHttpChannelBuilder.forAddress(host, port)
        .sslSocketFactory(ctx.getSocketFactory())
        .executor(executor)
        .scheduledExecutorService(executor)
        .disableRetry()
        // HTTP/2 pings notice a server that vanished without closing TCP (power loss, a
        // dropped route) in ~40 s instead of the kernel's ~15 min.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .maxInboundMessageSize(1 << 20)
        .build();
  }

  /** Opens the first stream and starts heartbeats. */
  public void start() {
    executor.execute(this::connect);
    executor.scheduleAtFixedRate(this::heartbeatTick, heartbeat.toMillis(), heartbeat.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** New batches are in the buffer: send them if the stream can take them. */
  public void wake() {
    if (!closed) {
      executor.execute(this::pump);
    }
  }

  /** Half-closes the stream and shuts the channel down (waits up to {@code timeout}). */
  public void close(Duration timeout) {
    closed = true;
    connected = false;
    try {
      executor.submit(() -> {
        Session s = current;
        current = null;
        if (s != null && s.out != null) {
          s.out.onCompleted();
        }
      }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // the executor is gone or stuck; shut the channel down regardless
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Ends the current stream so a new one starts with a fresh Hello (e.g. carrying a certificate
   * renewal request); unacked batches are resent on it.
   */
  public void reconnect() {
    if (!closed) {
      executor.execute(() -> {
        Session s = current;
        if (s != null && s.out != null) {
          s.out.onCompleted(); // the server completes its side; onEnd then reconnects
        }
      });
    }
  }

  public boolean isConnected() {
    return connected;
  }

  public boolean isStoppedFatal() {
    return fatal;
  }

  /** Streams opened so far (the first one included). */
  public long connectAttempts() {
    return attempts.get();
  }

  public long lastAckedSeq() {
    return lastAcked.get();
  }

  /** "CODE: reason" of the last Reject received, or null. */
  public String lastRejectReason() {
    return lastRejectReason;
  }

  /** The last stream failure, or null. */
  public String lastError() {
    return lastError;
  }

  private void connect() {
    if (closed || fatal) {
      return;
    }
    attempts.incrementAndGet();
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff(); // our backoff decides, not the channel's
    }
    Session s = new Session();
    current = s;
    AgentServiceGrpc.newStub(channel).connect(s);
    s.out.onNext(AgentMessage.newBuilder().setHello(hello.get()).build());
    pump();
  }

  private void pump() {
    Session s = current;
    if (s == null) {
      return;
    }
    while (s.out.isReady()) {
      MetricBatch b = buffer.firstAfter(s.sentUpTo);
      if (b == null) {
        return;
      }
      MetricBatch next = buffer.firstAfter(b.getSeq());
      if (next != null) {
        // A backlog: the batches that follow go in the same message (a batch that does not fit
        // is read again from the buffer for the next one).
        BatchMerger m = new BatchMerger();
        m.add(b);
        while (next != null && m.fits(next)) {
          m.add(next);
          next = buffer.firstAfter(next.getSeq());
        }
        MetricBatch merged = m.build();
        s.merged.put(merged.getSeq(), b.getSeq());
        b = merged;
      }
      s.out.onNext(AgentMessage.newBuilder().setBatch(s.refs.encode(b)).build());
      s.sentUpTo = b.getSeq();
      s.batchSinceHeartbeat = true;
    }
  }

  /** The periodic heartbeat: skipped when a batch went on the stream since the last tick. */
  private void heartbeatTick() {
    Session s = current;
    if (s != null && s.batchSinceHeartbeat) {
      s.batchSinceHeartbeat = false;
      return;
    }
    sendHeartbeat();
  }

  private void sendHeartbeat() {
    Session s = current;
    if (s != null) {
      s.out.onNext(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
          .setTimestampMs(clock.millis()).setConfigVersion(configVersion)).build());
    }
  }

  /** The configuration version the agent runs now: reported in every heartbeat, and at once. */
  public void reportConfigVersion(long version) {
    configVersion = version;
    if (!closed) {
      executor.execute(this::sendHeartbeat);
    }
  }

  /** Answers a command on the current stream (dropped when there is none: the server reports a timeout). */
  public void sendResult(CommandResult result) {
    requireNonNull(result, "result");
    if (!closed) {
      executor.execute(() -> {
        Session s = current;
        if (s != null) {
          s.out.onNext(AgentMessage.newBuilder().setCommandResult(result).build());
        }
      });
    }
  }

  private void onMessage(Session s, ServerMessage m) {
    switch (m.getKindCase()) {
      case ACK -> {
        long seq = m.getAck().getSeq();
        buffer.ack(seq);
        s.merged.headMap(seq, true).clear();
        lastAcked.accumulateAndGet(seq, Math::max);
        if (m.getAck().getRejectedSamples() > 0) {
          refusals.add(m.getAck());
        }
        accepted(s);
      }
      case CONFIG -> {
        accepted(s);
        listener.onConfigUpdate(m.getConfig());
      }
      case COMMAND -> listener.onCommand(m.getCommand());
      case REJECT -> onReject(s, m.getReject());
      case ENROLLED -> {
        if (!m.getEnrolled().getCertificate().isEmpty()) {
          // The server ends this stream next; reconnect at once, presenting the certificate.
          newCertificate = listener.onCertificate(m.getEnrolled().getCertificate().toByteArray());
        } else {
          listener.onEnrolled(m.getEnrolled().getNodeSecret());
        }
      }
      default -> log.debug("ignoring unknown server message {}", m.getKindCase());
    }
  }

  private void accepted(Session s) {
    if (!s.accepted) {
      s.accepted = true;
      backoff.reset();
      connected = true;
      lastLoggedError = null;
      log.info("connected to {}:{}", host, port);
    }
  }

  private void onReject(Session s, Reject r) {
    String reason = r.getCode() + ": " + r.getReason();
    lastRejectReason = reason;
    if (r.getFatal()) {
      fatal = true;
      connected = false;
      current = null;
      log.error("server {}:{} refused this agent ({}); not reconnecting: fix the settings and "
          + "restart the agent", host, port, reason);
      s.out.cancel("fatal reject", null);
      channel.shutdownNow();
      listener.onFatal(r);
      return;
    }
    if (r.getCode() == Reject.Code.UNKNOWN_SERIES_REF) {
      // Nothing was stored: keep the batch; the server ends the stream, and the next one starts
      // with no refs, so the batch goes again with its labels.
      log.warn("server {}:{} did not know a series ref ({}); resending on a new stream", host, port, r.getReason());
      return;
    }
    if (r.getCode() == Reject.Code.UNAVAILABLE) {
      // Nothing was stored: keep the batch; the server ends the stream and we resend on reconnect.
      log.warn("server {}:{} cannot store data right now ({}); keeping {} unacknowledged batches"
          + " to resend", host, port, r.getReason(), buffer.size());
      return;
    }
    if (r.getSeq() != 0) {
      Long first = s.merged.remove(r.getSeq());
      buffer.remove(first != null ? first : r.getSeq(), r.getSeq());
    }
    if (loggedRejects.size() < MAX_DISTINCT_REJECTS_LOGGED && loggedRejects.add(reason)) {
      log.warn("server rejected {} ({}); dropped. Further rejects with this reason are logged at "
          + "DEBUG", r.getSeq() != 0 ? "batch " + r.getSeq() : "a message", reason);
    } else {
      log.debug("server rejected batch {} ({})", r.getSeq(), reason);
    }
  }

  private void onEnd(Session s, Throwable t) {
    if (current != s) {
      return;
    }
    current = null;
    connected = false;
    if (closed || fatal) {
      return;
    }
    if (newCertificate) {
      newCertificate = false;
      try {
        ManagedChannel old = channel;
        channel = newChannel(host, port); // a new TLS context: no session resumed without the certificate
        old.shutdown();
        log.info("client certificate received; reconnecting to {}:{} with mutual TLS", host, port);
        executor.execute(this::connect);
        return;
      } catch (RuntimeException e) {
        log.error("cannot use the new client certificate ({}); reconnecting without it", e.toString());
      }
    }
    String error = describe(t);
    lastError = error;
    if (!s.accepted) {
      nextAddress();
    }
    long delay = backoff.nextDelayMillis();
    if (!error.equals(lastLoggedError)) {
      lastLoggedError = error;
      log.warn("stream to {}:{} ended: {}; reconnecting in {} ms (repeats logged at DEBUG)",
          host, port, error, delay);
    } else {
      log.debug("stream to {}:{} ended: {}; reconnecting in {} ms", host, port, error, delay);
    }
    executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "closed by the server";
    }
    Status status = Status.fromThrowable(t);
    StringBuilder sb = new StringBuilder(status.getCode().toString());
    if (status.getDescription() != null) {
      sb.append(": ").append(status.getDescription());
    }
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null) {
      sb.append(" (").append(root.getMessage()).append(')');
    }
    return sb.toString();
  }

  private final class Session implements ClientResponseObserver<AgentMessage, ServerMessage> {
    ClientCallStreamObserver<AgentMessage> out;
    /** This stream's series refs: labels go once per stream. */
    final SeriesRefs refs = new SeriesRefs();
    long sentUpTo;
    /** Merged messages sent on this stream and not yet acked: last seq to first seq merged. */
    final TreeMap<Long, Long> merged = new TreeMap<>();
    boolean accepted;
    /** A batch was sent since the last heartbeat tick (which then sends no heartbeat). */
    boolean batchSinceHeartbeat;

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
      out = requestStream;
      requestStream.setOnReadyHandler(() -> {
        if (current == this) {
          pump();
        }
      });
    }

    @Override
    public void onNext(ServerMessage m) {
      if (current == this) {
        onMessage(this, m);
      }
    }

    @Override
    public void onError(Throwable t) {
      onEnd(this, t);
    }

    @Override
    public void onCompleted() {
      onEnd(this, null);
    }
  }
}
