package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.Ack;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.ConfigUpdate;
import syslens.agent.v1.Enrolled;
import syslens.agent.v1.Hello;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Reject;
import syslens.agent.v1.ServerMessage;
import syslens.ingest.Identity;
import syslens.ingest.IngestPipeline;
import syslens.ingest.IngestSession;
import syslens.ingest.SessionOptions;
import syslens.ingest.Sequences;
import syslens.ingest.Source;
import syslens.ingest.WriteResult;
import syslens.security.NodeIdentities;
import syslens.server.tls.AgentCa;
import syslens.storage.LabelRules;

/**
 * The agent stream, a thin adapter over the ingest pipeline: authenticates Hello with the node's
 * own client certificate (mutual TLS) or legacy secret, or enrolls a new node id with an
 * enrollment token (docs/adr/0003-per-node-credentials.md, docs/adr/0006-agent-certificates.md), writes each batch through the node's pipeline session
 * (which validates, stores durably, publishes to the live view and marks series stale when the
 * stream ends), acks once storage has committed, and acks a batch it already acked (same seq
 * epoch, seq not above the last acked) without storing it again.
 */
public final class AgentIngestService extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(AgentIngestService.class);
  static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final int MAX_HELLO_LABELS = 32;
  /** Shape limits of one batch (series, samples per series, samples). */
  static final int MAX_SERIES = 10_000;
  static final int MAX_SAMPLES_PER_SERIES = 1_000;
  static final int MAX_SAMPLES = 200_000;
  /** Column sizes of the nodes table (V1 migration). */
  static final int MAX_VERSION_LENGTH = 64;
  static final int MAX_TEXT_LENGTH = 255;
  static final int MAX_LABELS_JSON = 8192;
  /** A stream that has not said Hello by then is closed. */
  static final Duration HELLO_DEADLINE = Duration.ofSeconds(10);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final IngestPipeline pipeline;
  private final Sequences sequences;
  private final NodeRegistry registry;
  private final NodeIdentities identities;
  private final Duration collectInterval;
  /** Set when the server stops: streams it ends then leave no staleness markers. */
  private volatile boolean stopping;
  private final AtomicInteger connected = new AtomicInteger();
  /** The open stream of each connected node. */
  private final java.util.concurrent.ConcurrentHashMap<String, Stream> streams =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** Every call not ended yet, admitted or still before its Hello: the server's stop ends them all. */
  private final java.util.Set<Stream> calls = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final MeterRegistry meters;
  /** Bounds the agent messages parsed and being handled at once, over all streams. */
  private final IngestBudget budget;
  /** Runs each stream's messages in order, one at a time (virtual threads: a batch waiting for fsync parks cheaply). */
  private final java.util.concurrent.Executor streamExecutor;
  /** Each node's effective configuration (the control plane's, or just the server's interval). */
  private volatile java.util.function.Function<String, ConfigUpdate> configFor;
  /** Where agents' answers to commands go (node id, result). */
  private volatile java.util.function.BiConsumer<String, syslens.agent.v1.CommandResult> commandResults =
      (id, r) -> { };
  /** Told (node id, true) when a node's stream is admitted here and (node id, false) when it ends. */
  private volatile java.util.function.BiConsumer<String, Boolean> presence = (id, up) -> { };

  /**
   * @param streamExecutor runs the streams' messages (see {@link StreamInbox}); virtual threads
   *     in the server, so thousands of batches can wait for a shared fsync at once
   */
  public AgentIngestService(IngestPipeline pipeline, Sequences sequences, NodeRegistry registry,
      NodeIdentities identities, Duration collectInterval, MeterRegistry meters,
      java.util.concurrent.Executor streamExecutor) {
    this(pipeline, sequences, registry, identities, collectInterval, meters, streamExecutor,
        new IngestBudget(IngestBudget.DEFAULT_BYTES));
  }

  AgentIngestService(IngestPipeline pipeline, Sequences sequences, NodeRegistry registry,
      NodeIdentities identities, Duration collectInterval, MeterRegistry meters,
      java.util.concurrent.Executor streamExecutor, IngestBudget budget) {
    this.streamExecutor = requireNonNull(streamExecutor, "streamExecutor");
    this.budget = requireNonNull(budget, "budget");
    this.pipeline = requireNonNull(pipeline, "pipeline");
    this.sequences = requireNonNull(sequences, "sequences");
    this.registry = requireNonNull(registry, "registry");
    this.identities = requireNonNull(identities, "identities");
    // A revoked credential ends the node's open stream at once, not only its next connection.
    identities.onRevoked(id -> {
      Stream open = streams.get(id);
      if (open != null) {
        open.revoked();
      }
    });
    identities.onCertificateRevoked((id, serial) -> {
      Stream open = streams.get(id);
      if (open != null && open.certificate != null && serial.equals(open.certificate.serial())) {
        open.revoked();
      }
    });
    this.collectInterval = requireNonNull(collectInterval, "collectInterval");
    this.configFor = id -> ConfigUpdate.newBuilder().setCollectIntervalMs(collectInterval.toMillis()).build();
    this.meters = requireNonNull(meters, "meters");
    meters.gauge("syslens.agents.connected", connected);
    meters.gauge("syslens.agents.ingest.budget.free.bytes", budget, IngestBudget::available);
  }

  /**
   * The service as the server binds it: the stream's messages arrive as wire bytes and are parsed
   * within the {@link IngestBudget} (see {@link #connectWire}); answers are protobuf as usual.
   */
  public ServerServiceDefinition wireService() {
    MethodDescriptor<AgentMessage, ServerMessage> parsed = AgentServiceGrpc.getConnectMethod();
    return ServerServiceDefinition.builder(AgentServiceGrpc.SERVICE_NAME)
        .addMethod(parsed.toBuilder(WireMessage.MARSHALLER, parsed.getResponseMarshaller()).build(),
            ServerCalls.asyncBidiStreamingCall(this::connectWire))
        .build();
  }

  /** A stream whose messages come parsed (tests calling the service directly): no budget. */
  @Override
  public StreamObserver<AgentMessage> connect(StreamObserver<ServerMessage> out) {
    return open(out, (stream, ctx) -> StreamInbox.wrap(stream, out, streamExecutor));
  }

  /**
   * A stream whose messages come as wire bytes: each is parsed once the server-wide budget has
   * room for it, and held until its handler is done (stored, committed, acked). In a reconnect
   * storm every stream has a message waiting; they wait as bytes, not as parsed batches.
   */
  StreamObserver<WireMessage> connectWire(StreamObserver<ServerMessage> out) {
    return open(out, (stream, ctx) -> StreamInbox.wrap(stream, out, streamExecutor, budget, WireMessage.DECODER));
  }

  /** Bytes of agent messages that may be parsed and in their handlers at once, all streams together. */
  IngestBudget budget() {
    return budget;
  }

  private <W> StreamInbox<W, AgentMessage> open(StreamObserver<ServerMessage> out,
      java.util.function.BiFunction<Stream, ServiceRequestContext, StreamInbox<W, AgentMessage>> wrap) {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    Stream stream = new Stream(out, ctx == null ? "unknown" : ctx.clientAddress().getHostAddress(),
        ctx == null ? null : AgentCa.presented(ctx.sslSession()));
    StreamInbox<W, AgentMessage> inbox = wrap.apply(stream, ctx);
    calls.add(stream);
    if (stopping) { // came in after endAllCalls looked: it ends as the others did
      stream.endCall(serverStopping());
    }
    if (ctx != null) {
      // Only a stream on which nothing came: a Hello that arrived and waits for its handler (a
      // reconnect storm of thousands) is the server's delay, not the agent's; the handler answers it.
      ctx.eventLoop().schedule(() -> {
        if (!inbox.received()) {
          streamExecutor.execute(stream::helloDeadline);
        }
      }, HELLO_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
    return inbox;
  }

  /** Where each node's configuration comes from (sent after Hello and by {@link #pushConfig}). */
  public void configSource(java.util.function.Function<String, ConfigUpdate> source) {
    this.configFor = requireNonNull(source, "source");
  }

  /** Where agents' CommandResults go. */
  public void onCommandResult(java.util.function.BiConsumer<String, syslens.agent.v1.CommandResult> listener) {
    this.commandResults = requireNonNull(listener, "listener");
  }

  /** Where this instance says which nodes' streams it holds (the cluster bus). */
  public void onPresence(java.util.function.BiConsumer<String, Boolean> listener) {
    this.presence = requireNonNull(listener, "listener");
  }

  /** The nodes whose streams are open here now. */
  public java.util.List<String> connectedNodes() {
    return java.util.List.copyOf(streams.keySet());
  }

  /** Sends the node its current configuration now, if it is connected; false if it is not. */
  public boolean pushConfig(String nodeId) {
    Stream s = streams.get(nodeId);
    return s != null && s.sendIfOpen(ServerMessage.newBuilder().setConfig(configFor.apply(nodeId)).build());
  }

  /** Sends a command to the node if it is connected; false if it is not. */
  public boolean sendCommand(String nodeId, syslens.agent.v1.Command command) {
    Stream s = streams.get(nodeId);
    return s != null && s.sendIfOpen(ServerMessage.newBuilder().setCommand(command).build());
  }

  /** True while the node has an open, admitted stream. */
  public boolean isConnected(String nodeId) {
    return streams.containsKey(nodeId);
  }

  private void rejected(String reason, long n) {
    meters.counter("syslens.ingest.rejected.samples", "source", Source.AGENT, "reason", reason).increment(n);
  }

  /** One agent's stream; gRPC delivers its messages one at a time. */
  private final class Stream implements StreamObserver<AgentMessage> {
    private final StreamObserver<ServerMessage> out;
    private final String source;
    /** The client certificate of the connection (verified against the CA by TLS), or null. */
    final NodeIdentities.PresentedCertificate certificate;
    private String nodeId;
    private long seqEpoch;
    private boolean closed;
    /**
     * The node's pipeline session: its series resolved once (a batch's label list to the storage
     * labels, node and instance added), so per-batch label work is one hash lookup per series.
     */
    private IngestSession session;
    /** The call was ended (completed or failed towards the agent); written under {@code out}. */
    private volatile boolean callEnded;

    Stream(StreamObserver<ServerMessage> out, String source, NodeIdentities.PresentedCertificate certificate) {
      this.out = out;
      this.source = source;
      this.certificate = certificate;
    }

    @Override
    public synchronized void onNext(AgentMessage m) {
      if (closed || callEnded) { // callEnded: the server stops; the agent resends this to the next one
        return;
      }
      switch (m.getKindCase()) {
        case HELLO -> hello(m.getHello());
        case BATCH -> {
          if (nodeId == null) {
            fatal(Reject.Code.PROTOCOL_ERROR, "batch before hello (expected: Hello first)");
          } else {
            batch(m.getBatch());
          }
        }
        case HEARTBEAT -> {
          if (nodeId == null) {
            fatal(Reject.Code.PROTOCOL_ERROR, "heartbeat before hello (expected: Hello first)");
          } else {
            registry.seen(nodeId);
            registry.configVersion(nodeId, m.getHeartbeat().getConfigVersion());
          }
        }
        case COMMAND_RESULT -> {
          if (nodeId == null) {
            fatal(Reject.Code.PROTOCOL_ERROR, "command result before hello (expected: Hello first)");
          } else {
            registry.seen(nodeId);
            commandResults.accept(nodeId, m.getCommandResult());
          }
        }
        default -> fatal(Reject.Code.PROTOCOL_ERROR, "empty message (expected: hello, batch, heartbeat or command result)");
      }
    }

    synchronized void helloDeadline() {
      if (nodeId == null && !closed) {
        fatal(Reject.Code.PROTOCOL_ERROR, "no hello within " + HELLO_DEADLINE.toSeconds()
            + " s (expected: Hello as the first message)");
      }
    }

    private void hello(Hello h) {
      if (nodeId != null) {
        fatal(Reject.Code.PROTOCOL_ERROR, "second hello on one stream (expected: one per stream)");
        return;
      }
      if (h.getEnrollmentToken().length() > MAX_TEXT_LENGTH || h.getNodeSecret().length() > MAX_TEXT_LENGTH) {
        fatal(Reject.Code.UNAUTHENTICATED, "enrollment_token or node_secret: too long (expected: <= "
            + MAX_TEXT_LENGTH + " chars)");
        return;
      }
      if (h.getCsr().size() > AgentCa.MAX_CSR_BYTES) {
        fatal(Reject.Code.INVALID_ARGUMENT, "csr: " + h.getCsr().size() + " bytes (expected: <= "
            + AgentCa.MAX_CSR_BYTES + ")");
        return;
      }
      if (!NODE_ID.matcher(h.getNodeId()).matches()) {
        fatal(Reject.Code.INVALID_ARGUMENT, "node_id: \"" + abbreviate(h.getNodeId())
            + "\" (expected: 1-128 chars of [A-Za-z0-9._-], starting with a letter or digit)");
        return;
      }
      if (h.getLabelsCount() > MAX_HELLO_LABELS) {
        fatal(Reject.Code.INVALID_ARGUMENT, "labels: " + h.getLabelsCount() + " (expected: <= " + MAX_HELLO_LABELS + ")");
        return;
      }
      for (Map.Entry<String, String> e : h.getLabelsMap().entrySet()) {
        if (!LabelRules.isValidLabelName(e.getKey()) || e.getKey().startsWith("__")
            || e.getValue().length() > LabelRules.MAX_VALUE_LENGTH) {
          fatal(Reject.Code.INVALID_ARGUMENT, "label " + abbreviate(e.getKey())
              + " (expected: a name matching [a-zA-Z_][a-zA-Z0-9_]* not starting with __, value <= "
              + LabelRules.MAX_VALUE_LENGTH + " chars)");
          return;
        }
      }
      String tooLong = h.getAgentVersion().length() > MAX_VERSION_LENGTH ? "agent_version"
          : h.getOs().length() > MAX_TEXT_LENGTH ? "os"
          : h.getHostname().length() > MAX_TEXT_LENGTH ? "hostname" : null;
      if (tooLong != null) {
        fatal(Reject.Code.INVALID_ARGUMENT, tooLong + ": too long (expected: agent_version <= "
            + MAX_VERSION_LENGTH + ", os and hostname <= " + MAX_TEXT_LENGTH + " chars)");
        return;
      }
      Map<String, String> labels = Map.copyOf(h.getLabelsMap());
      int labelsJson = labelsJsonLength(labels);
      if (labelsJson > MAX_LABELS_JSON) {
        fatal(Reject.Code.INVALID_ARGUMENT, "labels: " + labelsJson + " bytes as JSON (expected: <= "
            + MAX_LABELS_JSON + ")");
        return;
      }
      String id = h.getNodeId();
      String host = h.getHostname().isEmpty() ? id : h.getHostname();
      if (gone()) {
        // Its agent went away while this Hello waited (thousands reconnecting at once): admitting
        // it would only cost database work, and enrolling it would create a credential the agent
        // never receives.
        closed = true;
        return;
      }
      NodeIdentities.Admission admission;
      try {
        admission = identities.admit(new NodeIdentities.Attempt(id, certificate, h.getNodeSecret(),
            h.getEnrollmentToken(), h.getCsr().toByteArray(), source));
      } catch (RuntimeException e) {
        log.error("checking the credential of agent {} failed", id, e);
        closed = true;
        endCall(io.grpc.Status.UNAVAILABLE.withDescription("server could not check the node's credential; "
            + "retry later").asRuntimeException());
        return;
      }
      if (!admission.admitted()) {
        log.warn("agent {} ({}) from {} rejected: {}", id, abbreviate(host), source, admission.reason());
        fatal(Reject.Code.UNAUTHENTICATED, admission.reason());
        return;
      }
      if (admission.outcome() == NodeIdentities.Outcome.ENROLLED && gone()) {
        // The agent cannot receive its new credential: take the enrolment back so its next
        // Hello with the token enrolls it, instead of "enrolled: credential missing" for good.
        log.info("agent {} ({}) from {}: stream closed during enrolment, enrolment taken back", id,
            abbreviate(host), source);
        identities.undoEnrollment(id, admission, source);
        closed = true;
        return;
      }
      if (admission.certificate() != null) {
        // A new or renewed client certificate: the node reconnects over mutual TLS with it, so
        // nothing of this stream is stored under a credential the node no longer uses.
        log.info("agent {} ({}) from {}: client certificate issued; it reconnects with it", id, abbreviate(host),
            source);
        send(ServerMessage.newBuilder().setEnrolled(Enrolled.newBuilder()
            .setCertificate(com.google.protobuf.ByteString.copyFrom(admission.certificate()))).build());
        closed = true;
        endCall(null);
        return;
      }
      if (admission.newSecret() != null) {
        send(ServerMessage.newBuilder().setEnrolled(Enrolled.newBuilder().setNodeSecret(admission.newSecret())).build());
      }
      // In memory (the registry writes its changes once a second): nothing here can fail on the
      // database after the node was sent its credential.
      registry.connected(id, host, h.getOs(), h.getAgentVersion(), labels);
      nodeId = id;
      seqEpoch = h.getSeqEpoch();
      session = pipeline.open(new Source(Source.AGENT, id), SessionOptions.builder()
          .defaults(labels).identity(new Identity(id, host))
          .limits(MAX_SERIES, MAX_SAMPLES_PER_SERIES, MAX_SAMPLES)
          .rounds(true).upSeries(true).build());
      streams.put(id, this);
      connected.incrementAndGet();
      tell(id, true);
      log.info("agent {} connected ({}, agent {})", nodeId, host, h.getAgentVersion());
      registry.configVersion(id, h.getConfigVersion());
      send(ServerMessage.newBuilder().setConfig(configFor.apply(id)).build());
    }

    /** True when the agent's side of the call is gone (cancelled, connection lost). */
    private boolean gone() {
      return out instanceof io.grpc.stub.ServerCallStreamObserver<?> c && c.isCancelled();
    }

    private void batch(MetricBatch b) {
      AgentBatch in = new AgentBatch(b);
      // Refs count as defined once sent, whatever becomes of the batch (a resend is acked as a
      // duplicate without being stored, yet the agent goes on using the refs it defined).
      int unknownRef = session.define(in);
      if (unknownRef != 0) {
        unknownSeriesRef(b, unknownRef);
        return;
      }
      if (b.getSeq() == 0) {
        rejected("invalid_batch", in.samples());
        send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
            .setCode(Reject.Code.INVALID_ARGUMENT).setReason("seq: 0 (expected: >= 1)")).build());
        return;
      }
      if (sequences.isDuplicate(nodeId, seqEpoch, b.getSeq())) {
        // Acked before (the ack was lost, or the agent replays its buffer): ack again, store nothing.
        send(ServerMessage.newBuilder().setAck(Ack.newBuilder().setSeq(b.getSeq())).build());
        return;
      }
      WriteResult r = session.write(in);
      switch (r.status()) {
        case INVALID -> send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
            .setCode(Reject.Code.INVALID_ARGUMENT).setSeq(b.getSeq()).setReason(r.reason())).build());
        case UNAVAILABLE -> storageUnavailable(b, r.reason());
        case STORED -> {
          sequences.acked(nodeId, seqEpoch, b.getSeq());
          send(ServerMessage.newBuilder().setAck(Ack.newBuilder().setSeq(b.getSeq())
              .setRejectedSamples(r.refused()).putAllRejectedByReason(r.refusedByReason())).build());
        }
      }
    }

    /**
     * The batch names a series by a ref this stream never defined (an agent bug, or a server
     * that lost the stream's state): nothing is stored; the agent keeps the batch and resends it
     * on a new stream, where it defines its refs again.
     */
    private void unknownSeriesRef(MetricBatch b, int ref) {
      String reason = "series ref " + ref + " was never defined on this stream (expected: labels with the ref"
          + " first); nothing of batch " + b.getSeq() + " stored, resend it on a new stream";
      log.warn("agent {}: {}", nodeId, reason);
      send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
          .setCode(Reject.Code.UNKNOWN_SERIES_REF).setSeq(b.getSeq()).setReason(reason)).build());
      closed = true;
      endCall(io.grpc.Status.FAILED_PRECONDITION.withDescription(reason).asRuntimeException());
      end();
    }

    /**
     * Storage could not make the batch durable: tell the agent (it keeps the batch), end the
     * stream so it resends everything unacknowledged after reconnecting with backoff.
     */
    private void storageUnavailable(MetricBatch b, String reason) {
      log.error("batch {} of agent {} not stored: {}", b.getSeq(), nodeId, reason);
      send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
          .setCode(Reject.Code.UNAVAILABLE).setSeq(b.getSeq())
          .setReason(reason + " (the agent keeps it and resends)")).build());
      closed = true;
      endCall(io.grpc.Status.UNAVAILABLE.withDescription(reason).asRuntimeException());
      end();
    }

    private void fatal(Reject.Code code, String reason) {
      send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
          .setCode(code).setReason(reason).setFatal(true)).build());
      closed = true;
      endCall(null);
      end();
    }

    /** Sends from another thread (a config push, a command); false when the stream is over. */
    synchronized boolean sendIfOpen(ServerMessage m) {
      if (closed || nodeId == null) {
        return false;
      }
      send(m);
      return true;
    }

    private void send(ServerMessage m) {
      synchronized (out) {
        if (!callEnded) {
          out.onNext(m);
        }
      }
    }

    /**
     * Ends the call once, with {@code error} (null: completed), whoever comes first: this stream's
     * handler or the server's stop ({@link #endAllCalls}), which does not wait for a batch in hand.
     */
    void endCall(Throwable error) {
      synchronized (out) {
        if (callEnded) {
          return;
        }
        callEnded = true;
        calls.remove(this);
        try {
          if (error == null) {
            out.onCompleted();
          } else {
            out.onError(error);
          }
        } catch (RuntimeException e) {
          log.debug("stream already closed: {}", e.toString());
        }
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      calls.remove(this);
      end();
    }

    @Override
    public synchronized void onCompleted() {
      if (!closed) {
        closed = true;
        endCall(null);
      }
      calls.remove(this);
      end();
    }

    synchronized void revoked() {
      if (nodeId != null && !closed) {
        log.warn("agent {}: credential revoked, closing its stream", nodeId);
        fatal(Reject.Code.UNAUTHENTICATED, "node credential or certificate revoked by an administrator"
            + " (expected: a new enrollment after the credential is deleted)");
      }
    }

    private void end() {
      if (nodeId != null) {
        String id = nodeId;
        // The node's series go stale and its up turns 0, unless a newer stream of it took over.
        if (streams.remove(id, this)) {
          if (stopping) {
            session.abandon(); // a server restart is not the node going away
          } else {
            session.end();
          }
          tell(id, false);
        }
        nodeId = null;
        connected.decrementAndGet();
        registry.disconnected(id);
        log.info("agent {} disconnected", id);
      }
    }
  }

  private void tell(String nodeId, boolean up) {
    try {
      presence.accept(nodeId, up);
    } catch (RuntimeException e) {
      log.warn("announcing that agent {} {} failed: {}", nodeId, up ? "connected" : "disconnected", e.toString());
    }
  }

  /**
   * The server stops: every agent's call ends now (UNAVAILABLE), so that the network's graceful
   * stop does not wait its whole timeout for streams that never end by themselves. A batch in a
   * handler may still be stored, but is not acknowledged: the agent resends every unacknowledged
   * batch to the next server (a batch acked before is acked again as a duplicate). Streams that
   * end from now on leave their series as they are (no staleness markers, no {@code up} 0), so a
   * restart does not resolve and re-fire alerts. Returns the number of calls ended.
   */
  public int endAllCalls() {
    stopping = true;
    int n = 0;
    for (Stream s : calls) {
      s.endCall(serverStopping());
      n++;
    }
    return n;
  }

  /**
   * After {@link #endAllCalls} and once no handler runs: each stream still open leaves its node
   * as a stop leaves it (series as they are, the node disconnected in the registry).
   */
  public void stopped() {
    stopping = true;
    for (Stream s : streams.values()) {
      s.onError(null);
    }
  }

  private static RuntimeException serverStopping() {
    return io.grpc.Status.UNAVAILABLE.withDescription("server stopping (expected: reconnect and resend every"
        + " unacknowledged batch to the next server)").asRuntimeException();
  }

  private static int labelsJsonLength(Map<String, String> labels) {
    try {
      return JSON.writeValueAsBytes(labels).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 128 ? s : s.substring(0, 125) + "...";
  }
}
