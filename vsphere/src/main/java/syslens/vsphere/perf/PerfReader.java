package syslens.vsphere.perf;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.vsphere.SampleSink;
import syslens.vsphere.client.PerfCounter;
import syslens.vsphere.client.PerfEntityMetrics;
import syslens.vsphere.client.PerfMetricId;
import syslens.vsphere.client.PerfQuery;
import syslens.vsphere.client.VimClient;

/**
 * One realtime (20 s) performance cycle: the targets split into QueryPerf batches sized by the
 * vCenter's maxQueryMetrics, run in parallel (the client's semaphore bounds calls in flight),
 * each batch written to the sink as soon as it arrives. Remembers each entity's newest sample
 * time, so the next cycle asks from there: a late cycle loses no samples, and a sample vCenter
 * repeats is not written twice.
 */
public final class PerfReader {
  private static final Logger log = LoggerFactory.getLogger(PerfReader.class);
  public static final int REALTIME_INTERVAL = 20;
  /** The historical interval clusters and datastores are read from. */
  public static final int FIVE_MINUTES = 300;
  /** At most one hour of samples per entity per cycle (vCenter keeps about that much realtime data). */
  static final int MAX_SAMPLES_SECONDS = 3600;

  /**
   * What a cycle did. {@code queryNanos}, {@code convertNanos} and {@code writeNanos} are summed
   * over the batches (which run in parallel, so their sum may exceed {@code duration}): QueryPerf
   * calls (request, vCenter's answer, parsing), turning answers into labelled samples, and
   * writing them to the sink (storage).
   */
  public record Result(int targets, int queries, long samples, long accepted, long rejected, int failedQueries,
      String lastError, Duration duration, long queryNanos, long convertNanos, long writeNanos) {}

  /**
   * Values (series x samples) one QueryPerf answer should hold at most: about what a steady
   * cycle's batch of 256 VMs' aggregates holds. Per-instance series multiply an entity's series,
   * and a cycle after an outage asks each series for up to an hour of samples; an answer sized
   * by entities alone then takes vCenter longer to build than the call's timeout, is retried,
   * and the next cycle asks for still more (one run at load 20 never recovered).
   */
  static final int VALUES_PER_QUERY = 24_000;
  /** Instances per "*" counter assumed until a cycle has shown how many there are. */
  static final int ASSUMED_INSTANCES = 3;
  /** At most this many instances of one counter per entity and cycle (a bound on series per entity). */
  static final int MAX_INSTANCES_PER_COUNTER = 256;
  /** Longer instance names are skipped (vCenter's are device keys, CPU numbers and device names). */
  static final int MAX_INSTANCE_LENGTH = 200;

  private final Clock clock;
  private final ExecutorService executor;
  private final int maxEntitiesPerQuery;
  private final int interval;
  private final PerfInstances instances;
  /** QueryPerf batches of one cycle in flight at once (querying, converting, writing); 0: no bound but the client's. */
  private volatile int maxInFlight;
  /**
   * Series per entity in the last cycle's answers, per kind: with per-instance counters an
   * entity's answer holds its aggregates plus one series per instance, so batches are sized by
   * series as well as by metric ids (see {@link #entitiesPerQuery}).
   */
  private final Map<MetricCatalog.Kind, Double> seriesPerEntity = new ConcurrentHashMap<>();
  private final Map<String, Long> newestSampleMs = new ConcurrentHashMap<>();
  /** Each entity's series labels (one per counter), built once and reused while its labels stay the same. */
  private final Map<String, SeriesLabels> seriesLabels = new ConcurrentHashMap<>();

  /**
   * The labels of one entity's series: its own labels plus {@code __name__} per definition index,
   * and the instance label for per-instance definitions.
   */
  private record SeriesLabels(Labels base, MetricCatalog.Kind kind, Labels[] byDef, Map<String, Labels>[] byInstance,
      java.util.concurrent.atomic.AtomicBoolean warned) {
    @SuppressWarnings("unchecked")
    SeriesLabels(Labels base, MetricCatalog.Kind kind, int defs) {
      this(base, kind, new Labels[defs], new Map[defs], new java.util.concurrent.atomic.AtomicBoolean());
    }

    Labels get(int def, MetricCatalog.Def d) {
      Labels l = byDef[def];
      if (l == null) {
        l = base.toBuilder().set(Labels.METRIC_NAME, d.metricName(kind)).build();
        byDef[def] = l;
      }
      return l;
    }

    /** The series of one instance, or null when the entity already has its bound of instances. */
    Labels get(int def, MetricCatalog.Def d, String instance) {
      Map<String, Labels> m = byInstance[def];
      if (m == null) {
        m = new HashMap<>();
        byInstance[def] = m;
      }
      Labels l = m.get(instance);
      if (l == null) {
        if (m.size() >= MAX_INSTANCES_PER_COUNTER) {
          return null;
        }
        l = base.toBuilder().set(Labels.METRIC_NAME, d.metricName(kind)).set(d.group().label(), instance).build();
        m.put(instance, l);
      }
      return l;
    }
  }

  /**
   * What one kind's QueryPerf asks and where each answer goes: {@code ids} one per counter, with
   * instance "*" when a per-instance definition uses the counter (vCenter then answers every
   * instance and the aggregate ""), else ""; {@code byCounter} maps a counter id to
   * {aggregate definition index, per-instance definition index}, -1 where there is none.
   */
  record Query(List<PerfMetricId> ids, Map<Integer, int[]> byCounter, List<MetricCatalog.Def> defs) {
    static Query of(List<MetricCatalog.Resolved> aggregates, List<MetricCatalog.Resolved> perInstance) {
      List<MetricCatalog.Def> defs = new ArrayList<>();
      Map<Integer, int[]> byCounter = new java.util.LinkedHashMap<>();
      for (MetricCatalog.Resolved r : aggregates) {
        byCounter.computeIfAbsent(r.counterId(), k -> new int[] {-1, -1})[0] = defs.size();
        defs.add(r.def());
      }
      for (MetricCatalog.Resolved r : perInstance) {
        byCounter.computeIfAbsent(r.counterId(), k -> new int[] {-1, -1})[1] = defs.size();
        defs.add(r.def());
      }
      List<PerfMetricId> ids = new ArrayList<>(byCounter.size());
      byCounter.forEach((counter, d) -> ids.add(new PerfMetricId(counter, d[1] >= 0 ? "*" : "")));
      return new Query(List.copyOf(ids), byCounter, List.copyOf(defs));
    }
  }

  /** The key a QueryPerf batch's samples are written under: the same batch position each cycle. */
  private record Stream(PerfReader reader, int batch) {}

  /**
   * @param maxEntitiesPerQuery cap on entities in one QueryPerf (vCenter's maxQueryMetrics may
   *     lower it further)
   */
  public PerfReader(Clock clock, ExecutorService executor, int maxEntitiesPerQuery, PerfInstances instances) {
    this(clock, executor, maxEntitiesPerQuery, REALTIME_INTERVAL, instances);
  }

  /**
   * @param interval the statistics interval asked for: 20 (realtime) or 300 (5 minutes) seconds
   * @param instances the per-instance series collected besides the aggregates
   */
  public PerfReader(Clock clock, ExecutorService executor, int maxEntitiesPerQuery, int interval,
      PerfInstances instances) {
    this.instances = requireNonNull(instances, "instances");
    if (interval != REALTIME_INTERVAL && interval != FIVE_MINUTES) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: 20 or 300 seconds)");
    }
    this.interval = interval;
    this.clock = requireNonNull(clock, "clock");
    this.executor = requireNonNull(executor, "executor");
    if (maxEntitiesPerQuery < 1) {
      throw new IllegalArgumentException("maxEntitiesPerQuery: " + maxEntitiesPerQuery + " (expected: > 0)");
    }
    this.maxEntitiesPerQuery = maxEntitiesPerQuery;
  }

  /**
   * Bounds the batches of a cycle in flight at once (query, conversion and storage write), below
   * the client's concurrency limit; 0 (the default) leaves only the client's. Batches still start
   * in plan order (important VMs, hosts, other VMs).
   */
  public PerfReader maxInFlight(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxInFlight: " + n + " (expected: >= 0)");
    }
    this.maxInFlight = n;
    return this;
  }

  /**
   * Entities per QueryPerf: vCenter's {@code config.vpxd.stats.maxQueryMetrics} (entity x
   * counter pairs per query; absent, 0 or negative means no limit) divided by the counters per
   * entity, capped by our own limit.
   */
  public int batchSize(long maxQueryMetrics, int countersPerEntity) {
    if (maxQueryMetrics <= 0 || countersPerEntity <= 0) {
      return maxEntitiesPerQuery;
    }
    return (int) Math.max(1, Math.min(maxEntitiesPerQuery, maxQueryMetrics / countersPerEntity));
  }

  /** Runs one cycle; returns when every batch finished or {@code deadline} passed. */
  public Result collect(VimClient client, Map<String, PerfCounter> counters, long maxQueryMetrics,
      List<PerfTarget> targets, SampleSink sink, Duration deadline) {
    long startNanos = System.nanoTime();
    Map<MetricCatalog.Kind, Query> defs = queries(counters);
    List<List<PerfTarget>> batches = plan(targets, maxQueryMetrics, defs);
    AtomicLong samples = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> lastError = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicLongArray phaseNanos = new java.util.concurrent.atomic.AtomicLongArray(3);
    List<Future<?>> futures = new ArrayList<>(batches.size());
    int bound = maxInFlight;
    java.util.concurrent.Semaphore inFlight = bound > 0 ? new java.util.concurrent.Semaphore(bound, true) : null;
    for (int b = 0; b < batches.size(); b++) {
      List<PerfTarget> batch = batches.get(b);
      Stream stream = new Stream(this, b);
      futures.add(executor.submit(() -> {
        if (inFlight != null) {
          try {
            inFlight.acquire();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        try {
          List<PerfTarget> owners = new ArrayList<>();
          long[] took = new long[3];
          List<SampleSink.Sample> out = queryBatch(client, batch, defs.get(batch.getFirst().kind()), owners, took);
          if (!out.isEmpty()) {
            long w0 = System.nanoTime();
            AppendStatus[] st = sink.write(stream, out);
            took[2] = System.nanoTime() - w0;
            samples.addAndGet(out.size());
            long ok = 0;
            for (AppendStatus s : st) {
              if (s == AppendStatus.OK) {
                ok++;
              }
            }
            accepted.addAndGet(ok);
            rejected.addAndGet(out.size() - ok);
            commitNewest(owners, out, st);
          }
          for (int i = 0; i < took.length; i++) {
            phaseNanos.addAndGet(i, took[i]); // query, convert, write
          }
        } catch (RuntimeException e) {
          failed.incrementAndGet();
          lastError.set(e.getMessage());
          log.warn("QueryPerf batch of {} {} failed: {}", batch.size(), batch.getFirst().kind(), e.getMessage());
        } finally {
          if (inFlight != null) {
            inFlight.release();
          }
        }
      }));
    }
    long waitUntil = System.nanoTime() + deadline.toNanos();
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        failed.incrementAndGet();
        lastError.set("QueryPerf batch not finished within the cycle deadline " + deadline);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        failed.incrementAndGet();
        lastError.set(String.valueOf(e.getCause()));
      }
    }
    return new Result(targets.size(), batches.size(), samples.get(), accepted.get(), rejected.get(),
        (int) failed.get(), lastError.get(), Duration.ofNanos(System.nanoTime() - startNanos), phaseNanos.get(0),
        phaseNanos.get(1), phaseNanos.get(2));
  }

  /** Per kind, what its QueryPerf asks: aggregates, and the per-instance groups switched on. */
  Map<MetricCatalog.Kind, Query> queries(Map<String, PerfCounter> counters) {
    Map<MetricCatalog.Kind, Query> out = new java.util.EnumMap<>(MetricCatalog.Kind.class);
    for (MetricCatalog.Kind kind : MetricCatalog.Kind.values()) {
      out.put(kind, Query.of(MetricCatalog.resolve(counters, kind),
          MetricCatalog.resolveInstances(counters, kind, instances.of(kind))));
    }
    return out;
  }

  /**
   * The QueryPerf batches in the order they are submitted: batches of important VMs first (the
   * client's fair semaphore then serves them first), then hosts, then the other VMs.
   */
  List<List<PerfTarget>> plan(List<PerfTarget> targets, long maxQueryMetrics, Map<MetricCatalog.Kind, Query> defs) {
    List<List<PerfTarget>> batches = new ArrayList<>();
    long nowMs = clock.millis();
    Query vm = defs.get(MetricCatalog.Kind.VM);
    int vmSize = batchSize(maxQueryMetrics, vm.ids().size());
    double vmSeries = seriesPerEntity(MetricCatalog.Kind.VM, vm);
    pack(targets.stream().filter(t -> t.kind() == MetricCatalog.Kind.VM && t.important()).toList(), vmSize, vmSeries,
        nowMs, batches);
    for (MetricCatalog.Kind kind : MetricCatalog.Kind.values()) {
      if (kind != MetricCatalog.Kind.VM && !defs.get(kind).ids().isEmpty()) {
        pack(targets.stream().filter(t -> t.kind() == kind).toList(),
            batchSize(maxQueryMetrics, defs.get(kind).ids().size()), seriesPerEntity(kind, defs.get(kind)), nowMs,
            batches);
      }
    }
    pack(targets.stream().filter(t -> t.kind() == MetricCatalog.Kind.VM && !t.important()).toList(), vmSize,
        vmSeries, nowMs, batches);
    return batches;
  }

  /**
   * Series an entity's answer holds: what the last answer of its kind showed, before any the
   * metric ids plus {@link #ASSUMED_INSTANCES} per counter asked per instance ("*").
   */
  double seriesPerEntity(MetricCatalog.Kind kind, Query query) {
    Double seen = seriesPerEntity.get(kind);
    if (seen != null) {
      return Math.max(1.0, seen);
    }
    long star = query.ids().stream().filter(id -> id.instance().equals("*")).count();
    return Math.max(1.0, query.ids().size() + star * ASSUMED_INSTANCES);
  }

  /**
   * Cuts {@code targets} into batches of at most {@code cap} entities whose answers hold at most
   * {@link #VALUES_PER_QUERY} values (series per entity x samples asked); a batch has at least one.
   */
  private void pack(List<PerfTarget> targets, int cap, double series, long nowMs, List<List<PerfTarget>> into) {
    int from = 0;
    double values = 0;
    for (int i = 0; i < targets.size(); i++) {
      double v = series * samplesAsked(targets.get(i), nowMs);
      if (i > from && (i - from >= cap || values + v > VALUES_PER_QUERY)) {
        into.add(targets.subList(from, i));
        from = i;
        values = 0;
      }
      values += v;
    }
    if (from < targets.size()) {
      into.add(targets.subList(from, targets.size()));
    }
  }

  /** Samples the next QueryPerf asks of {@code t}: the newest only at first, then those since the newest stored. */
  private int samplesAsked(PerfTarget t, long nowMs) {
    Long newest = newestSampleMs.get(t.key());
    if (newest == null) {
      return 1;
    }
    long behind = Math.max(0, nowMs - newest);
    return (int) Math.min(MAX_SAMPLES_SECONDS / interval, behind / (interval * 1000L) + 2);
  }

  /** One QueryPerf and its answers as samples; {@code took[0]}, {@code took[1]}: nanoseconds querying, converting. */
  private List<SampleSink.Sample> queryBatch(VimClient client, List<PerfTarget> batch, Query query,
      List<PerfTarget> owners, long[] took) {
    List<PerfMetricId> ids = query.ids();
    List<MetricCatalog.Def> defs = query.defs();
    long nowMs = clock.millis();
    List<PerfQuery> queries = new ArrayList<>(batch.size());
    Map<String, PerfTarget> byEntity = new HashMap<>();
    for (PerfTarget t : batch) {
      byEntity.put(t.entity().value(), t);
      Long newest = newestSampleMs.get(t.key());
      queries.add(new PerfQuery(t.entity(), newest == null ? null : Instant.ofEpochMilli(newest),
          samplesAsked(t, nowMs), ids, interval));
    }
    List<SampleSink.Sample> out = new ArrayList<>(batch.size() * defs.size() * 2);
    long q0 = System.nanoTime();
    List<PerfEntityMetrics> answers = client.queryPerf(queries);
    long q1 = System.nanoTime();
    took[0] = q1 - q0;
    if (!answers.isEmpty()) {
      long series = 0;
      for (PerfEntityMetrics m : answers) {
        series += m.series().size();
      }
      // the last answer's figure is as good as an average over the cycle: entities of a kind look alike
      seriesPerEntity.put(batch.getFirst().kind(), (double) series / answers.size());
    }
    for (PerfEntityMetrics m : answers) {
      PerfTarget t = byEntity.get(m.entity().value());
      if (t == null) {
        continue;
      }
      long newest = newestSampleMs.getOrDefault(t.key(), Long.MIN_VALUE);
      long[] times = m.timestampsMs();
      int[] order = ascending(times);
      SeriesLabels sl = seriesLabels(t, defs.size());
      for (PerfEntityMetrics.Series s : m.series()) {
        int[] target = query.byCounter().get(s.id().counterId());
        if (target == null) {
          continue;
        }
        String instance = s.id().instance();
        int index = instance.isEmpty() ? target[0] : target[1];
        if (index < 0 || instance.length() > MAX_INSTANCE_LENGTH) {
          continue; // an aggregate of an instance-only counter, or the instances of an aggregate-only one
        }
        MetricCatalog.Def def = defs.get(index);
        if (s.values().length != times.length) {
          continue; // values cannot be matched to timestamps (vcsim omits zero values)
        }
        Labels labels = null;
        for (int i : order) {
          long ts = times[i];
          long raw = s.values()[i];
          if (ts <= newest || raw < 0) {
            continue; // seen in an earlier cycle, or vCenter's "no value"
          }
          if (labels == null) {
            labels = instance.isEmpty() ? sl.get(index, def) : sl.get(index, def, instance);
            if (labels == null) {
              if (!sl.warned().getAndSet(true)) {
                log.warn("{} has more than {} instances of {}; the others are not collected", t.key(),
                    MAX_INSTANCES_PER_COUNTER, def.counter());
              }
              break;
            }
          }
          // one Labels object per series, its samples adjacent and oldest first: the sink appends
          // each series as one run
          out.add(new SampleSink.Sample(t.nodeId(), labels, ts, def.scale().apply(raw, interval)));
          owners.add(t);
        }
      }
    }
    took[1] = System.nanoTime() - q1;
    return out;
  }

  /** The entity's series labels from an earlier cycle when its labels did not change, else new ones. */
  private SeriesLabels seriesLabels(PerfTarget t, int defs) {
    SeriesLabels sl = seriesLabels.get(t.key());
    if (sl == null || sl.byDef().length != defs || sl.kind() != t.kind() || !sl.base().equals(t.labels())) {
      sl = new SeriesLabels(t.labels(), t.kind(), defs);
      seriesLabels.put(t.key(), sl);
    }
    return sl;
  }

  /** Indices of {@code times} oldest first (vCenter answers ascending, the simulator descending). */
  static int[] ascending(long[] times) {
    int n = times.length;
    int[] order = new int[n];
    boolean asc = true;
    boolean desc = true;
    for (int i = 1; i < n; i++) {
      asc &= times[i - 1] < times[i];
      desc &= times[i - 1] > times[i];
    }
    if (asc || !desc) {
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      if (!asc) {
        order = java.util.stream.IntStream.range(0, n).boxed()
            .sorted((a, b) -> Long.compare(times[a], times[b])).mapToInt(Integer::intValue).toArray();
      }
    } else {
      for (int i = 0; i < n; i++) {
        order[i] = n - 1 - i;
      }
    }
    return order;
  }

  /** Remembers, per node, the newest timestamp storage took, so the next cycle starts after it. */
  private void commitNewest(List<PerfTarget> owners, List<SampleSink.Sample> out, AppendStatus[] st) {
    for (int i = 0; i < out.size(); i++) {
      if (st[i] == AppendStatus.OK || st[i] == AppendStatus.DUPLICATE_TIMESTAMP
          || st[i] == AppendStatus.OUT_OF_ORDER) {
        newestSampleMs.merge(owners.get(i).key(), out.get(i).timestampMs(), Math::max);
      }
    }
  }

  /** Forgets entities that left the inventory ({@link PerfTarget#key()}s). */
  public void retain(java.util.Set<String> nodeIds) {
    newestSampleMs.keySet().retainAll(nodeIds);
    seriesLabels.keySet().retainAll(nodeIds);
  }
}
