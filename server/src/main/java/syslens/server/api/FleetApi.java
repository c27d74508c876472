package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
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
import java.util.regex.Pattern;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.server.ingest.NodeRegistry.NodeView;
import syslens.server.live.LiveSample;
import syslens.server.live.NodeJson;
import syslens.server.live.NodeSummaries;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;

/**
 * {@code GET /api/v1/fleet/overview}: every node the requester may see with its status and latest
 * pressure figures (CPU, memory and disk usage in percent, network bytes per second) in columns,
 * plus counts by status, kind and VM power state. Built from the live summaries every agent batch
 * updates (no query), in a snapshot rebuilt at most every {@link Builder#refresh} and shared by all
 * requests; each request only filters it by the principal's scope (as {@code GET /api/v1/nodes}).
 * At most {@link Builder#maxNodes} nodes are returned ({@code truncated} says when more exist).
 *
 * <p>Every answer carries {@code layout}: a digest of its rows' order and of their columns that
 * change rarely (id, hostname, kind, OS, group, labels). A request with {@code ?layout=} equal to
 * the current one gets only the changing columns (status and the figures) and
 * {@code "layoutReused": true}: a poller of a 10,000-node fleet receives and parses about a third
 * of the bytes. Unscoped answers are encoded once per snapshot and shared.
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
  /** The unscoped answers of {@link #snapshot}, encoded on first use. */
  private volatile Answer unscoped;

  /**
   * One node in the shared snapshot; {@code view}'s scope labels decide visibility for a scoped
   * request (built only then); {@code layoutHash} digests the columns that change rarely.
   */
  record Row(String id, String hostname, String kind, String os, String status, String group,
      Map<String, String> labels, NodeView view, Double cpu, Double mem, Double disk, Double net,
      long layoutHash) {}

  record Snapshot(long builtAt, List<Row> rows) {}

  /**
   * What one scope sees of one snapshot; its two encodings (whole, and without the layout columns)
   * are made on first use and kept (two threads may both make one: the same bytes).
   */
  private static final class Answer {
    final Snapshot snapshot;
    final List<Row> rows;
    final int total;
    final Map<String, Integer> byStatus;
    final Map<String, Integer> byKind;
    final Map<String, Integer> vmPower;
    final String layout;
    private volatile byte[] whole;
    private volatile byte[] values;

    Answer(Snapshot snapshot, List<Row> rows, int total, Map<String, Integer> byStatus, Map<String, Integer> byKind,
        Map<String, Integer> vmPower, String layout) {
      this.snapshot = snapshot;
      this.rows = rows;
      this.total = total;
      this.byStatus = byStatus;
      this.byKind = byKind;
      this.vmPower = vmPower;
      this.layout = layout;
    }

    byte[] body(boolean withLayout) {
      byte[] b = withLayout ? whole : values;
      if (b == null) {
        b = write(this, withLayout);
        if (withLayout) {
          whole = b;
        } else {
          values = b;
        }
      }
      return b;
    }
  }

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
    String known = QueryParams.fromQueryString(ctx.query()).get("layout");
    if (known != null && !LAYOUT.matcher(known).matches()) {
      return ApiErrors.badData("layout: \"" + PromParams.abbreviate(known)
          + "\" (expected: the 16 hex digits of a previous answer's layout)");
    }
    List<List<Matcher>> visible = scope.of(ctx);
    return HttpResponse.of(() -> {
      Answer a = visible == null ? unscoped(current()) : select(current(), visible);
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, a.body(!a.layout.equals(known)));
    }, ctx.blockingTaskExecutor());
  }

  private static final Pattern LAYOUT = Pattern.compile("[0-9a-f]{16}");

  /** The unscoped answer of {@code s}, shared by every unscoped request until the next snapshot. */
  private Answer unscoped(Snapshot s) {
    Answer a = unscoped;
    if (a == null || a.snapshot != s) {
      a = select(s, null);
      unscoped = a;
    }
    return a;
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
      String group = groupOf.apply(n.id());
      rows.add(new Row(n.id(), n.hostname(), n.kind(), n.os(), n.status(), group, n.labels(),
          n, l == null ? null : l.cpuPercent(), l == null ? null : l.memoryPercent(),
          l == null ? null : l.diskPercent(), net, layoutHash(n, group)));
    }
    rows.sort((a, b) -> a.id().compareTo(b.id()));
    return new Snapshot(now, List.copyOf(rows));
  }

  /** A 64-bit digest of a node's rarely changing columns. */
  private static long layoutHash(NodeView n, String group) {
    long h = 0x9E3779B97F4A7C15L;
    h = mix(h, n.id());
    h = mix(h, n.hostname());
    h = mix(h, n.kind());
    h = mix(h, n.os());
    h = mix(h, group);
    long labels = 0; // a sum: the same for any iteration order of the map
    for (Map.Entry<String, String> e : n.labels().entrySet()) {
      labels += mix(mix(0, e.getKey()), e.getValue());
    }
    return h ^ labels * 0xFF51AFD7ED558CCDL;
  }

  private static long mix(long h, String s) {
    long x = h ^ (s == null ? 0x5bd1e995L : s.hashCode() * 0xC2B2AE3D27D4EB4FL + s.length());
    x *= 0x9E3779B97F4A7C15L;
    return x ^ (x >>> 31);
  }

  private Answer select(Snapshot s, List<List<Matcher>> visible) {
    List<Row> rows = new ArrayList<>(Math.min(s.rows().size(), maxNodes));
    Map<String, Integer> byStatus = new TreeMap<>(Map.of("online", 0, "offline", 0, "stale", 0));
    Map<String, Integer> byKind = new TreeMap<>();
    Map<String, Integer> vmPower = new TreeMap<>(Map.of("poweredOn", 0, "poweredOff", 0));
    int total = 0;
    for (Row r : s.rows()) {
      if (visible != null && !ScopedQueryable.visible(visible, NodeJson.scopeLabels(r.view()))) {
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
    long layout = rows.size();
    for (Row r : rows) {
      layout = layout * 0x100000001B3L ^ r.layoutHash();
    }
    return new Answer(s, rows, total, byStatus, byKind, vmPower, String.format("%016x", layout));
  }

  private static byte[] write(Answer a, boolean whole) {
    List<Row> rows = a.rows;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + rows.size() * (whole ? 160 : 40));
    try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("status", "success");
      g.writeObjectFieldStart("data");
      g.writeNumberField("generatedAt", a.snapshot.builtAt());
      g.writeNumberField("total", a.total);
      g.writeBooleanField("truncated", rows.size() < a.total);
      g.writeStringField("layout", a.layout);
      if (!whole) {
        g.writeBooleanField("layoutReused", true);
      }
      g.writeObjectFieldStart("summary");
      counts(g, "status", a.byStatus);
      counts(g, "kind", a.byKind);
      if (a.byKind.containsKey("vm")) {
        counts(g, "vmPower", a.vmPower);
      }
      g.writeEndObject();
      g.writeObjectFieldStart("nodes");
      if (whole) {
        layoutColumns(g, rows);
      }
      strings(g, "status", rows, Row::status);
      numbers(g, "cpu", rows, Row::cpu, 10);
      numbers(g, "memory", rows, Row::mem, 10);
      numbers(g, "disk", rows, Row::disk, 10);
      numbers(g, "netBytesPerSec", rows, Row::net, 1);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("fleet overview: writing JSON", e);
    }
    return bytes.toByteArray();
  }

  /** The columns {@code layout} digests. */
  private static void layoutColumns(JsonGenerator g, List<Row> rows) throws IOException {
    strings(g, "id", rows, Row::id);
    strings(g, "hostname", rows, Row::hostname);
    strings(g, "kind", rows, Row::kind);
    strings(g, "os", rows, Row::os);
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

  /**
   * Numbers rounded to 1/{@code scale} (tenths of a percent are enough for a colour and a tooltip,
   * whole bytes per second for a rate), null when unknown.
   */
  private static void numbers(JsonGenerator g, String name, List<Row> rows, Function<Row, Double> f, int scale)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (Row r : rows) {
      Double v = f.apply(r);
      if (v == null || v.isNaN() || v.isInfinite()) {
        g.writeNull();
      } else if (scale == 1 || Math.abs(v) >= 1e15) {
        g.writeNumber(Math.round(v));
      } else {
        long tenths = Math.round(v * scale);
        if (tenths % scale == 0) {
          g.writeNumber(tenths / scale);
        } else {
          g.writeNumber(tenths / (double) scale);
        }
      }
    }
    g.writeEndArray();
  }
}
