package syslens.ingest;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import syslens.storage.AppendStatus;
import syslens.storage.Storage;

/**
 * The one way data gets into storage. Every source (the agent stream, Prometheus remote-write,
 * text import, collectors) opens a {@link IngestSession} and writes batches through it: shape
 * limits, reserved and invalid labels refused with a reason, labels resolved once per series per
 * session (defaults, sender, overrides, node identity), appended under the source's own series
 * limit, committed durably, counted, and published to listeners; staleness markers and an
 * {@code up} series for sources that send rounds. Thread-safe; sessions are not.
 *
 * <p>Meters (tag {@code source} = the source kind): {@code syslens.ingest.batches},
 * {@code syslens.ingest.samples}, {@code syslens.ingest.rejected.samples} (tag {@code reason}),
 * {@code syslens.ingest.stale.markers}.
 */
public final class IngestPipeline {
  static final String[] REASONS = reasons();

  private final Storage storage;
  private final Clock clock;
  private final MeterRegistry meters;
  private final List<IngestListener> listeners;
  private final java.util.function.Predicate<String> agentNode;

  private IngestPipeline(Builder b) {
    this.storage = b.storage;
    this.clock = b.clock;
    this.meters = b.meters;
    this.listeners = List.copyOf(b.listeners);
    this.agentNode = b.agentNode;
    // Every door shows on /metrics from the start, at 0.
    for (String kind : List.of(Source.AGENT, Source.REMOTE_WRITE, Source.IMPORT, Source.VSPHERE)) {
      meters.counter("syslens.ingest.batches", "source", kind);
      meters.counter("syslens.ingest.samples", "source", kind);
    }
  }

  public static Builder builder(Storage storage) {
    return new Builder(storage);
  }

  /** A session for one source's stream of batches (per-series work is done once per session). */
  public IngestSession open(Source source, SessionOptions options) {
    return new IngestSession(this, requireNonNull(source, "source"), requireNonNull(options, "options"));
  }

  /** Writes one batch in a session of its own (one HTTP request, one collector cycle). */
  public WriteResult write(Source source, SessionOptions options, SeriesInput batch) {
    return open(source, options).write(batch);
  }

  /** A node that is away: its identity and the labels its series carry. */
  public record Away(Identity identity, java.util.Map<String, String> labels) {}

  /**
   * Writes {@code up} 0 now for each node that is away (its stream ended, or it was never back
   * after a restart), so {@code up == 0} holds for as long as it is away, not only for the
   * 5-minute lookback after its stream ended. Best effort: a storage failure is logged.
   */
  public void writeAway(List<Away> nodes) {
    if (nodes.isEmpty()) {
      return;
    }
    syslens.storage.Appender app = storage.appender();
    long now = clock.millis();
    for (Away a : nodes) {
      app.append(IngestSession.upLabels(a.labels(), java.util.Map.of(), a.identity()), now, 0);
    }
    try {
      app.commit();
    } catch (syslens.storage.StorageException e) {
      org.slf4j.LoggerFactory.getLogger(IngestPipeline.class).warn("up of {} away nodes not stored: {}",
          nodes.size(), e.getMessage());
    }
  }

  Storage storage() {
    return storage;
  }

  Clock clock() {
    return clock;
  }

  List<IngestListener> listeners() {
    return listeners;
  }

  /** True when {@code node} is an agent node, whose series only its own credential may write. */
  boolean isAgentNode(String node) {
    return !node.isEmpty() && agentNode.test(node);
  }

  Counter counter(String name, Source source) {
    return meters.counter(name, "source", source.kind());
  }

  void rejected(Source source, String reason, long samples) {
    if (samples > 0) {
      meters.counter("syslens.ingest.rejected.samples", "source", source.kind(), "reason", reason).increment(samples);
    }
  }

  private static String[] reasons() {
    AppendStatus[] all = AppendStatus.values();
    String[] out = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = all[i].name().toLowerCase(Locale.ROOT);
    }
    return out;
  }

  /** Defaults: system UTC clock, meters kept in a private registry, no listeners. */
  public static final class Builder {
    private final Storage storage;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meters = new SimpleMeterRegistry();
    private final List<IngestListener> listeners = new CopyOnWriteArrayList<>();
    private java.util.function.Predicate<String> agentNode = n -> false;

    private Builder(Storage storage) {
      this.storage = requireNonNull(storage, "storage");
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Builder meters(MeterRegistry m) {
      this.meters = requireNonNull(m, "meters");
      return this;
    }

    /**
     * Which node ids belong to agents. A series from a source without node identity (remote-write,
     * import) whose {@code node} label names one keeps that value as {@code exported_node}, as
     * Prometheus renames a scraped label that clashes with a target label: only the node's own
     * credential writes its series.
     */
    public Builder agentNodes(java.util.function.Predicate<String> isAgentNode) {
      this.agentNode = requireNonNull(isAgentNode, "isAgentNode");
      return this;
    }

    public Builder listener(IngestListener l) {
      listeners.add(requireNonNull(l, "listener"));
      return this;
    }

    public IngestPipeline build() {
      return new IngestPipeline(this);
    }
  }
}
