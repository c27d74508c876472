package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.Ack;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.ConfigUpdate;
import syslens.agent.v1.Enrolled;
import syslens.agent.v1.Hello;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Reject;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.agent.v1.ServerMessage;
import syslens.security.NodeIdentities;
import syslens.server.live.LiveSample;
import syslens.server.live.NodeSummaries;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Storage;
import syslens.storage.StorageException;

/**
 * The agent stream: authenticates Hello with the node's own credential (or enrolls a new node id
 * with the enrollment token, see docs/adr/0003-per-node-credentials.md), validates and stores
 * batches, acks them once storage has committed (fsynced) them, and feeds the live view.
 */
public final class AgentIngestService extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(AgentIngestService.class);
  static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final int MAX_HELLO_LABELS = 32;
  /** Bound of one stream's label cache (it is cleared, not grown, beyond). */
  static final int MAX_CACHED_SERIES = 100_000;
  /** Column sizes of the nodes table (V1 migration). */
  static final int MAX_VERSION_LENGTH = 64;
  static final int MAX_TEXT_LENGTH = 255;
  static final int MAX_LABELS_JSON = 8192;
  /** A stream that has not said Hello by then is closed. */
  static final Duration HELLO_DEADLINE = Duration.ofSeconds(10);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final Storage storage;
  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final Consumer<LiveSample> live;
  private final NodeIdentities identities;
  private final Duration collectInterval;
  private final AtomicInteger connected = new AtomicInteger();
  /** The open stream of each connected node. */
  private final java.util.concurrent.ConcurrentHashMap<String, Stream> streams =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter batches;
  private final Counter samples;
  private final MeterRegistry meters;

  public AgentIngestService(Storage storage, NodeRegistry registry, NodeSummaries summaries,
      Consumer<LiveSample> live, NodeIdentities identities, Duration collectInterval,
      MeterRegistry meters) {
    this.storage = requireNonNull(storage, "storage");
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    this.live = requireNonNull(live, "live");
    this.identities = requireNonNull(identities, "identities");
    // A revoked credential ends the node's open stream at once, not only its next connection.
    identities.onRevoked(id -> {
      Stream open = streams.get(id);
      if (open != null) {
        open.revoked();
      }
    });
    this.collectInterval = requireNonNull(collectInterval, "collectInterval");
    this.meters = requireNonNull(meters, "meters");
    meters.gauge("syslens.agents.connected", connected);
    this.batches = meters.counter("syslens.ingest.batches");
    this.samples = meters.counter("syslens.ingest.samples");
  }

  @Override
  public StreamObserver<AgentMessage> connect(StreamObserver<ServerMessage> out) {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    Stream stream = new Stream(out, ctx == null ? "unknown" : ctx.clientAddress().getHostAddress());
    if (ctx != null) {
      ctx.eventLoop().schedule(stream::helloDeadline, HELLO_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }
    return stream;
  }

  private void rejected(String reason, long n) {
    meters.counter("syslens.ingest.rejected.samples", "reason", reason).increment(n);
  }

  /** One agent's stream; gRPC delivers its messages one at a time. */
  private final class Stream implements StreamObserver<AgentMessage> {
    private final StreamObserver<ServerMessage> out;
    private final String source;
    private String nodeId;
    private Map<String, String> extraLabels = Map.of();
    private String hostname;
    private boolean closed;
    /**
     * The stream's series, resolved once: a batch's label list to the storage labels built and
     * validated the first time (node and instance added). Agents send the same series every
     * round, so per-batch label work is one hash lookup per series.
     */
    private final Map<java.util.List<Label>, Labels> labelCache = new java.util.HashMap<>();

    Stream(StreamObserver<ServerMessage> out, String source) {
      this.out = out;
      this.source = source;
    }

    @Override
    public synchronized void onNext(AgentMessage m) {
      if (closed) {
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
          }
        }
        default -> fatal(Reject.Code.PROTOCOL_ERROR, "empty message (expected: hello, batch or heartbeat)");
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
      NodeIdentities.Admission admission;
      try {
        admission = identities.admit(id, h.getNodeSecret(), h.getEnrollmentToken(), source);
      } catch (RuntimeException e) {
        log.error("checking the credential of agent {} failed", id, e);
        closed = true;
        synchronized (out) {
          out.onError(io.grpc.Status.UNAVAILABLE.withDescription("server could not check the node's credential; "
              + "retry later").asRuntimeException());
        }
        return;
      }
      if (!admission.admitted()) {
        log.warn("agent {} ({}) from {} rejected: {}", id, abbreviate(host), source, admission.reason());
        fatal(Reject.Code.UNAUTHENTICATED, admission.reason());
        return;
      }
      if (admission.newSecret() != null) {
        // First, so the node holds its credential even if registering fails below and it must retry.
        send(ServerMessage.newBuilder().setEnrolled(Enrolled.newBuilder().setNodeSecret(admission.newSecret())).build());
      }
      try {
        registry.connected(id, host, h.getOs(), h.getAgentVersion(), labels);
      } catch (RuntimeException e) {
        log.error("registering agent {} failed", id, e);
        closed = true;
        synchronized (out) {
          out.onError(io.grpc.Status.UNAVAILABLE.withDescription("server could not register the node; retry later")
              .asRuntimeException());
        }
        return;
      }
      nodeId = id;
      streams.put(id, this);
      hostname = host;
      extraLabels = labels;
      connected.incrementAndGet();
      log.info("agent {} connected ({}, agent {})", nodeId, hostname, h.getAgentVersion());
      send(ServerMessage.newBuilder().setConfig(ConfigUpdate.newBuilder()
          .setCollectIntervalMs(collectInterval.toMillis())).build());
    }

    private void batch(MetricBatch b) {
      String problem = BatchValidator.check(b);
      if (problem != null) {
        rejected("invalid_batch", countSamples(b));
        send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
            .setCode(Reject.Code.INVALID_ARGUMENT).setSeq(b.getSeq()).setReason(problem)).build());
        return;
      }
      Appender app = storage.appender(nodeId);
      NodeSummaries.Round round = summaries.begin(nodeId);
      Map<String, Integer> refusedBy = new java.util.TreeMap<>();
      int refused = 0;
      int accepted = 0;
      for (Series s : b.getSeriesList()) {
        Labels labels = labelCache.get(s.getLabelsList());
        String invalid = null;
        if (labels == null) {
          // First time this stream sends the series: build and check its labels once.
          labels = labelsOf(s).interned(); // the same strings storage keeps: cheap lookups
          invalid = LabelRules.validate(labels);
          if (invalid == null) {
            if (labelCache.size() >= MAX_CACHED_SERIES) {
              labelCache.clear();
            }
            labelCache.put(s.getLabelsList(), labels);
          }
        }
        if (invalid != null) {
          app.rollback();
          rejected("invalid_labels", countSamples(b));
          send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
              .setCode(Reject.Code.INVALID_ARGUMENT).setSeq(b.getSeq()).setReason(invalid)).build());
          return;
        }
        for (Sample sm : s.getSamplesList()) {
          AppendStatus st = app.append(labels, sm.getTimestampMs(), sm.getValue());
          if (st == AppendStatus.OK) {
            accepted++;
          } else {
            refused++;
            refusedBy.merge(st.name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
          }
        }
        if (s.getSamplesCount() > 0) {
          Sample last = s.getSamples(s.getSamplesCount() - 1);
          round.add(labels, last.getTimestampMs(), last.getValue());
        }
      }
      try {
        app.commit();
      } catch (StorageException e) {
        storageUnavailable(b, e);
        return;
      }
      refusedBy.forEach(AgentIngestService.this::rejected);
      batches.increment();
      samples.increment(accepted);
      registry.seen(nodeId);
      send(ServerMessage.newBuilder().setAck(Ack.newBuilder().setSeq(b.getSeq())
          .setRejectedSamples(refused).putAllRejectedByReason(refusedBy)).build());
      summaries.finish(round).ifPresent(live);
    }

    /**
     * Storage could not make the batch durable: tell the agent (it keeps the batch), end the
     * stream so it resends everything unacknowledged after reconnecting with backoff.
     */
    private void storageUnavailable(MetricBatch b, StorageException e) {
      rejected("storage_unavailable", countSamples(b));
      log.error("batch {} of agent {} not stored: {}", b.getSeq(), nodeId, e.getMessage());
      send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
          .setCode(Reject.Code.UNAVAILABLE).setSeq(b.getSeq())
          .setReason("server storage unavailable, batch not stored: " + e.getMessage()
              + " (the agent keeps it and resends)")).build());
      closed = true;
      synchronized (out) {
        out.onError(io.grpc.Status.UNAVAILABLE.withDescription("storage unavailable: " + e.getMessage())
            .asRuntimeException());
      }
      end();
    }

    private Labels labelsOf(Series s) {
      Labels.Builder lb = Labels.builder();
      extraLabels.forEach(lb::set);
      for (Label l : s.getLabelsList()) {
        lb.set(l.getName(), l.getValue());
      }
      lb.set("node", nodeId);
      lb.set("instance", hostname);
      return lb.build();
    }

    private void fatal(Reject.Code code, String reason) {
      send(ServerMessage.newBuilder().setReject(Reject.newBuilder()
          .setCode(code).setReason(reason).setFatal(true)).build());
      closed = true;
      synchronized (out) {
        out.onCompleted();
      }
      end();
    }

    private void send(ServerMessage m) {
      synchronized (out) {
        out.onNext(m);
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      end();
    }

    @Override
    public synchronized void onCompleted() {
      if (!closed) {
        closed = true;
        synchronized (out) {
          out.onCompleted();
        }
      }
      end();
    }

    synchronized void revoked() {
      if (nodeId != null && !closed) {
        log.warn("agent {}: credential revoked, closing its stream", nodeId);
        fatal(Reject.Code.UNAUTHENTICATED, "node credential revoked by an administrator"
            + " (expected: a new enrollment after the credential is deleted)");
      }
    }

    private void end() {
      if (nodeId != null) {
        String id = nodeId;
        streams.remove(id, this);
        nodeId = null;
        connected.decrementAndGet();
        registry.disconnected(id);
        log.info("agent {} disconnected", id);
      }
    }
  }

  private static int labelsJsonLength(Map<String, String> labels) {
    try {
      return JSON.writeValueAsBytes(labels).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static long countSamples(MetricBatch b) {
    long n = 0;
    for (Series s : b.getSeriesList()) {
      n += s.getSamplesCount();
    }
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 128 ? s : s.substring(0, 125) + "...";
  }
}
