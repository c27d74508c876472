package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.server.ingest.NodeRegistry.NodeView;
import syslens.server.live.LiveSample;
import syslens.server.live.NodeJson;
import syslens.server.live.NodeSummaries;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;

/**
 * {@code GET /api/v1/fleet/overview}: every node the requester may see with its status and latest
 * pressure figures (CPU, memory and disk usage in percent, network bytes per second) in columns,
 * plus counts by status, kind and VM power state. Built from the live summaries every agent batch
 * updates (no query), in a snapshot rebuilt at most every {@link Builder#refresh} and shared by all
 * requests; each request only filters it by the principal's scope (as {@code GET /api/v1/nodes}).
 * At most {@link Builder#maxNodes} nodes are returned ({@code truncated} says when more exist).
 */
public final class FleetApi implements HttpService {
  private static final JsonFactory JSON = new JsonFactory();

  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final RequestScope scope;
  private final Function<String, String> groupOf;
  private final Clock clock;
  private final long refreshMs;
  private final int maxNodes;
  private volatile Snapshot snapshot;

  /** One node in the shared snapshot; {@code scopeLabels} decides visibility per request. */
  record Row(String id, String hostname, String kind, String os, String status, String group,
      Map<String, String> labels, Labels scopeLabels, Double cpu, Double mem, Double disk, Double net) {}

  record Snapshot(long builtAt, List<Row> rows) {}

  private FleetApi(Builder b) {
    this.registry = b.registry;
    this.summaries = b.summaries;
    this.scope = b.scope;
    this.groupOf = b.groupOf;
    this.clock = b.clock;
    this.refreshMs = b.refresh.toMillis();
    this.maxNodes = b.maxNodes;
  }

  public static Builder builder(NodeRegistry registry, NodeSummaries summaries, RequestScope scope) {
    return new Builder(registry, summaries, scope);
  }

  /** Options of {@link FleetApi}. */
  public static final class Builder {
    private final NodeRegistry registry;
    private final NodeSummaries summaries;
    private final RequestScope scope;
    private Function<String, String> groupOf = id -> null;
    private Clock clock = Clock.systemUTC();
    private Duration refresh = Duration.ofSeconds(2);
    private int maxNodes = 100_000;

    Builder(NodeRegistry registry, NodeSummaries summaries, RequestScope scope) {
      this.registry = requireNonNull(registry, "registry");
      this.summaries = requireNonNull(summaries, "summaries");
      this.scope = requireNonNull(scope, "scope");
    }

    /** A node's group (null: none). */
    public Builder groupOf(Function<String, String> groupOf) {
      this.groupOf = requireNonNull(groupOf, "groupOf");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** How old the shared snapshot may get before a request rebuilds it. */
    public Builder refresh(Duration refresh) {
      requireNonNull(refresh, "refresh");
      if (refresh.isNegative()) {
        throw new IllegalArgumentException("refresh: " + refresh + " (expected: >= 0)");
      }
      this.refresh = refresh;
      return this;
    }

    /** The most nodes one response carries. */
    public Builder maxNodes(int maxNodes) {
      if (maxNodes < 1) {
        throw new IllegalArgumentException("maxNodes: " + maxNodes + " (expected: > 0)");
      }
      this.maxNodes = maxNodes;
      return this;
    }

    public FleetApi build() {
      return new FleetApi(this);
    }
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (!ctx.path().equals("/api/v1/fleet/overview")) {
      return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "no such route: " + ctx.method() + " " + ctx.path());
    }
    List<List<Matcher>> visible = scope.of(ctx);
    return HttpResponse.of(() -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, render(current(), visible)),
        ctx.blockingTaskExecutor());
  }

  /** The shared snapshot, rebuilt when older than the refresh interval. */
  Snapshot current() {
    long now = clock.millis();
    Snapshot s = snapshot;
    if (s != null && now - s.builtAt() < refreshMs) {
      return s;
    }
    synchronized (this) {
      s = snapshot;
      if (s != null && now - s.builtAt() < refreshMs) {
        return s;
      }
      s = build(now);
      snapshot = s;
      return s;
    }
  }

  private Snapshot build(long now) {
    List<NodeView> nodes = registry.list();
    List<Row> rows = new ArrayList<>(nodes.size());
    for (NodeView n : nodes) {
      LiveSample l = summaries.latest(n.id()).orElse(null);
      Double net = l == null || (l.netRxBytesPerSec() == null && l.netTxBytesPerSec() == null) ? null
          : (l.netRxBytesPerSec() == null ? 0 : l.netRxBytesPerSec()) + (l.netTxBytesPerSec() == null ? 0 : l.netTxBytesPerSec());
      rows.add(new Row(n.id(), n.hostname(), n.kind(), n.os(), n.status(), groupOf.apply(n.id()), n.labels(),
          NodeJson.scopeLabels(n), l == null ? null : l.cpuPercent(), l == null ? null : l.memoryPercent(),
          l == null ? null : l.diskPercent(), net));
    }
    rows.sort((a, b) -> a.id().compareTo(b.id()));
    return new Snapshot(now, List.copyOf(rows));
  }

  private byte[] render(Snapshot s, List<List<Matcher>> visible) {
    List<Row> rows = new ArrayList<>(Math.min(s.rows().size(), maxNodes));
    Map<String, Integer> byStatus = new TreeMap<>(Map.of("online", 0, "offline", 0, "stale", 0));
    Map<String, Integer> byKind = new TreeMap<>();
    Map<String, Integer> vmPower = new TreeMap<>(Map.of("poweredOn", 0, "poweredOff", 0));
    int total = 0;
    for (Row r : s.rows()) {
      if (!ScopedQueryable.visible(visible, r.scopeLabels())) {
        continue;
      }
      total++;
      byStatus.merge(r.status(), 1, Integer::sum);
      byKind.merge(r.kind(), 1, Integer::sum);
      if ("vm".equals(r.kind())) {
        // A VM's node is online exactly while vCenter reports it powered on (VsphereNodes).
        vmPower.merge("online".equals(r.status()) ? "poweredOn" : "poweredOff", 1, Integer::sum);
      }
      if (rows.size() < maxNodes) {
        rows.add(r);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + rows.size() * 160);
    try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("status", "success");
      g.writeObjectFieldStart("data");
      g.writeNumberField("generatedAt", s.builtAt());
      g.writeNumberField("total", total);
      g.writeBooleanField("truncated", rows.size() < total);
      g.writeObjectFieldStart("summary");
      counts(g, "status", byStatus);
      counts(g, "kind", byKind);
      if (byKind.containsKey("vm")) {
        counts(g, "vmPower", vmPower);
      }
      g.writeEndObject();
      g.writeObjectFieldStart("nodes");
      strings(g, "id", rows, Row::id);
      strings(g, "hostname", rows, Row::hostname);
      strings(g, "kind", rows, Row::kind);
      strings(g, "os", rows, Row::os);
      strings(g, "status", rows, Row::status);
      strings(g, "group", rows, Row::group);
      g.writeArrayFieldStart("labels");
      for (Row r : rows) {
        g.writeStartObject();
        for (Map.Entry<String, String> e : r.labels().entrySet()) {
          if (e.getKey() != null && e.getValue() != null) {
            g.writeStringField(e.getKey(), e.getValue());
          }
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      numbers(g, "cpu", rows, Row::cpu);
      numbers(g, "memory", rows, Row::mem);
      numbers(g, "disk", rows, Row::disk);
      numbers(g, "netBytesPerSec", rows, Row::net);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("fleet overview: writing JSON", e);
    }
    return bytes.toByteArray();
  }

  private static void counts(JsonGenerator g, String name, Map<String, Integer> m) throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, Integer> e : m.entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String name, List<Row> rows, Function<Row, String> f) throws IOException {
    g.writeArrayFieldStart(name);
    for (Row r : rows) {
      g.writeString(f.apply(r));
    }
    g.writeEndArray();
  }

  /** Numbers rounded to one decimal (enough for a colour and a tooltip), null when unknown. */
  private static void numbers(JsonGenerator g, String name, List<Row> rows, Function<Row, Double> f) throws IOException {
    g.writeArrayFieldStart(name);
    for (Row r : rows) {
      Double v = f.apply(r);
      if (v == null || v.isNaN() || v.isInfinite()) {
        g.writeNull();
      } else {
        g.writeNumber(Math.round(v * 10) / 10.0);
      }
    }
    g.writeEndArray();
  }
}
