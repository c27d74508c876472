package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.AlertSink;
import syslens.query.Engine;
import syslens.query.VectorSample;
import syslens.storage.Appender;
import syslens.storage.Queryable;

/**
 * Runs rule groups: one schedule per group at the group's interval (on one scheduler thread),
 * evaluation on a bounded pool of its own (never the ingest or HTTP threads), rules of a group
 * without recording rules evaluated in parallel, selections shared within a round
 * ({@link RoundCache}). After each round the changed state is written to the {@link StateStore}
 * and the firing and resolved alerts are handed to the {@link AlertSink}. Restores stored state
 * when rules are first loaded.
 */
public final class RuleManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RuleManager.class);

  private final Queryable queryable;
  private final Function<Queryable, Engine> engines;
  private final AlertSink sink;
  private final Clock clock;
  private final StateStore store;
  private final Supplier<Appender> appenders;
  private final Rule.Settings settings;
  private final String externalUrl;
  private final ForkJoinPool pool;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsPool;
  private final AtomicLong missedRounds = new AtomicLong();
  private final EvalListener listener;
  /** Which groups this instance evaluates (several alerting instances share them; all by default). */
  private final java.util.function.Predicate<String> owns;
  private final boolean sharded;
  private volatile Map<String, Group> groups = Map.of();
  private Map<String, List<StateStore.InstanceRow>> restored;
  private boolean started;

  /** A compiled group and its schedule. */
  static final class Group {
    final GroupSpec spec;
    final List<Rule> rules;
    final boolean hasRecording;
    /** The storage as the group's scope shows it, or null when the group is unscoped. */
    final Queryable scoped;
    final AtomicBoolean running = new AtomicBoolean();
    /** False while another instance evaluates the group: its state is read again before the next round here. */
    volatile boolean owned;
    volatile long lastEvalMs;
    volatile double lastEvalSeconds;
    ScheduledFuture<?> schedule;

    Group(GroupSpec spec, List<Rule> rules, Queryable scoped) {
      this.spec = spec;
      this.rules = rules;
      this.hasRecording = rules.stream().anyMatch(r -> !r.spec.alerting());
      this.scoped = scoped;
    }
  }

  private RuleManager(Builder b) {
    this.queryable = b.queryable;
    this.engines = b.engines;
    this.sink = b.sink;
    this.clock = b.clock;
    this.store = b.store;
    this.appenders = b.appenders;
    this.settings = new Rule.Settings(b.flapChanges, b.flapWindow.toMillis(), b.externalLabels,
        b.appenders != Builder.NO_APPENDER);
    this.externalUrl = b.externalUrl;
    this.listener = b.listener;
    this.owns = b.owns;
    this.sharded = b.owns != Builder.ALL;
    this.ownsPool = true;
    this.pool = new ForkJoinPool(b.threads, p -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setName("syslens-rule-eval-" + t.getPoolIndex());
      t.setDaemon(true);
      return t;
    }, null, false);
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "syslens-rule-scheduler");
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
  }

  /** The group's scope selectors as matchers, or null when it has none. */
  private static List<List<syslens.storage.Matcher>> scope(GroupSpec g) {
    if (g.scope().isEmpty()) {
      return null;
    }
    List<List<syslens.storage.Matcher>> selectors = new ArrayList<>();
    for (String s : g.scope()) {
      try {
        selectors.add(syslens.query.parser.Parser.parseMetricSelector(s).matchers());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("group \"" + g.name() + "\": scope: \"" + s + "\": "
            + e.getMessage() + " (expected: label selectors)", e);
      }
    }
    return selectors;
  }

  public static Builder builder(Queryable queryable, Function<Queryable, Engine> engines,
      AlertSink sink) {
    return new Builder(queryable, engines, sink);
  }

  /**
   * Replaces the rule groups (validated: composite references resolve). Instances of rules whose
   * key (group/name) is unchanged keep their state; on the first call the stored state is
   * restored. IllegalArgumentException, and nothing changes, when a group does not compile.
   */
  public synchronized void setGroups(List<GroupSpec> specs) {
    Map<String, List<RuleSpec>> byName = byName(specs);
    Map<String, Group> old = groups;
    Map<String, Group> next = new LinkedHashMap<>();
    for (GroupSpec g : specs) {
      if (next.containsKey(g.name())) {
        throw new IllegalArgumentException("group \"" + g.name() + "\": name: used twice "
            + "(expected: unique group names)");
      }
      List<Rule> rules = new ArrayList<>();
      List<List<syslens.storage.Matcher>> scope = scope(g);
      Map<String, Integer> seen = new HashMap<>();
      for (RuleSpec r : g.rules()) {
        String expr;
        try {
          expr = Conditions.expression(r, byName);
          RuleFiles.checkExpr(expr, "rule \"" + r.name() + "\"");
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("group \"" + g.name() + "\" " + e.getMessage(), e);
        }
        int n = seen.merge(r.name(), 1, Integer::sum);
        String key = g.name() + "/" + r.name() + (n > 1 ? "#" + n : "");
        rules.add(new Rule(key, g.name(), r, expr, generatorUrl(r, expr), settings).limitTo(scope));
      }
      Group ng = new Group(g, rules, scope == null ? null : syslens.storage.ScopedQueryable.of(queryable, scope));
      Group was = old.get(g.name());
      // Sharded: a group's state is read when this instance takes it over (the last owner wrote it).
      ng.owned = !sharded || (was != null && was.owned);
      next.put(g.name(), ng);
    }
    if (restored == null) {
      restored = new HashMap<>();
      for (StateStore.InstanceRow row : store.loadInstances()) {
        restored.computeIfAbsent(row.ruleKey(), k -> new ArrayList<>()).add(row);
      }
    }
    Map<String, Rule> oldRules = new HashMap<>();
    old.values().forEach(g -> g.rules.forEach(r -> oldRules.put(r.key, r)));
    for (Group g : next.values()) {
      for (Rule r : g.rules) {
        Rule prev = oldRules.get(r.key);
        if (prev != null && prev.spec.alerting() == r.spec.alerting()) {
          synchronized (prev) {
            r.active.putAll(prev.active);
          }
          r.baseline = prev.spec.equals(r.spec) ? prev.baseline : Baseline.empty();
        } else {
          for (StateStore.InstanceRow row : restored.getOrDefault(r.key, List.of())) {
            r.restore(row, settings);
          }
          if (r.spec.kind() == RuleSpec.Kind.ANOMALY) {
            r.baseline = store.loadBaseline(r.key);
          }
        }
      }
    }
    List<StateStore.InstanceRow> gone = new ArrayList<>();
    for (Group g : old.values()) {
      if (g.schedule != null) {
        g.schedule.cancel(false);
      }
      for (Rule r : g.rules) {
        if (next.values().stream().noneMatch(n -> n.rules.stream().anyMatch(x -> x.key.equals(r.key)))) {
          synchronized (r) {
            r.active.values().forEach(a -> gone.add(r.row(a)));
          }
        }
      }
    }
    if (!gone.isEmpty()) {
      store.write(List.of(), gone, List.of());
    }
    groups = next;
    if (started) {
      next.values().forEach(this::schedule);
    }
  }

  private static Map<String, List<RuleSpec>> byName(List<GroupSpec> specs) {
    Map<String, List<RuleSpec>> m = new HashMap<>();
    for (GroupSpec g : specs) {
      for (RuleSpec r : g.rules()) {
        if (r.alerting()) {
          m.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
        }
      }
    }
    return m;
  }

  private String generatorUrl(RuleSpec r, String expr) {
    return externalUrl + "/#/explore?expr=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
        + "&rule=" + URLEncoder.encode(r.name(), StandardCharsets.UTF_8);
  }

  /** Starts the per-group schedules. */
  public synchronized void start() {
    started = true;
    groups.values().forEach(this::schedule);
  }

  private void schedule(Group g) {
    long interval = g.spec.intervalMs();
    // Spread groups over the interval as Prometheus does: a stable offset per group name, from
    // a mixed hash (String.hashCode of group1, group2 ... would be consecutive milliseconds).
    long h = g.spec.name().hashCode() * 0x9E3779B97F4A7C15L;
    long offset = Math.floorMod(h ^ (h >>> 29), interval);
    long now = clock.millis();
    long delay = Math.floorMod(offset - now, interval);
    g.schedule = scheduler.scheduleAtFixedRate(() -> tick(g), delay, interval,
        TimeUnit.MILLISECONDS);
  }

  private void tick(Group g) {
    if (sharded && !owns.test(g.spec.name())) {
      g.owned = false;
      return;
    }
    if (!g.running.compareAndSet(false, true)) {
      missedRounds.incrementAndGet();
      return;
    }
    long ts = clock.millis();
    pool.execute(() -> {
      try {
        if (!g.owned) {
          takeOver(g);
        }
        evalGroup(g, ts, null, false);
      } catch (RuntimeException e) {
        log.error("evaluating rule group {}: {}", g.spec.name(), e.toString(), e);
      } finally {
        g.running.set(false);
      }
    });
  }

  /**
   * Reads the group's alert state as the instance that evaluated it last left it (pending since,
   * firing, resolved, last sent), so this instance carries on rather than starting over: what
   * fired is not fired anew, what resolved is not resolved again.
   */
  private void takeOver(Group g) {
    Map<String, List<StateStore.InstanceRow>> rows = new HashMap<>();
    List<String> keys = g.rules.stream().filter(r -> r.spec.alerting()).map(r -> r.key).toList();
    for (StateStore.InstanceRow row : store.loadInstances(keys)) {
      rows.computeIfAbsent(row.ruleKey(), k -> new ArrayList<>()).add(row);
    }
    for (Rule r : g.rules) {
      if (!r.spec.alerting()) {
        continue;
      }
      synchronized (r) {
        r.active.clear();
      }
      for (StateStore.InstanceRow row : rows.getOrDefault(r.key, List.of())) {
        r.restore(row, settings);
      }
      if (r.spec.kind() == RuleSpec.Kind.ANOMALY) {
        r.baseline = store.loadBaseline(r.key);
      }
    }
    g.owned = true;
    log.info("rule group {}: evaluated here from now on ({} alert instances taken over)", g.spec.name(),
        rows.values().stream().mapToInt(List::size).sum());
  }

  /**
   * Makes every current alert due to be sent again at its group's next round (another instance
   * took notification over and may have missed alerts sent meanwhile; it tells duplicates apart).
   */
  public void resendAll() {
    for (Group g : groups.values()) {
      for (Rule r : g.rules) {
        synchronized (r) {
          r.active.values().forEach(a -> a.lastSentAt = Long.MIN_VALUE);
        }
      }
    }
  }

  /** Evaluates one group at {@code ts} now, on the evaluation pool, and waits for it. */
  public void evalGroup(String name, long ts) {
    Group g = groups.get(name);
    if (g == null) {
      throw new IllegalArgumentException("group \"" + name + "\" not found");
    }
    pool.submit(() -> evalGroup(g, ts, null, true)).join();
  }

  /**
   * Evaluates every group at {@code ts} on the evaluation pool, sharing one selection cache, and
   * waits (rule tests, benchmarks).
   */
  public void evalAll(long ts) {
    RoundCache cache = new RoundCache(queryable);
    List<Group> gs = List.copyOf(groups.values());
    pool.submit(() -> gs.parallelStream().forEach(g -> evalGroup(g, ts, cache, true))).join();
  }

  /** Evaluates every group at {@code ts} one after the other, in order (as promtool does). */
  public void evalAllInOrder(long ts) {
    List<Group> gs = List.copyOf(groups.values());
    pool.submit(() -> gs.forEach(g -> evalGroup(g, ts, null, true))).join();
  }

  /**
   * Evaluates a group. Scheduled rounds evaluate its rules on one thread ({@code parallel}
   * false): groups give the pool its parallelism, and a thread waiting for its own rules would
   * otherwise steal and run other groups' rounds, delaying its alerts.
   */
  private void evalGroup(Group g, long ts, RoundCache shared, boolean parallel) {
    long start = System.nanoTime();
    // A scoped group reads through its scope and never shares the round's unscoped selections.
    Queryable base = g.scoped != null ? g.scoped : queryable;
    RoundCache cache = shared != null && g.scoped == null ? shared : new RoundCache(base);
    Engine engine = engines.apply(cache);
    Engine training = engines.apply(base);
    long interval = g.spec.intervalMs();
    RoundOutput out = new RoundOutput();
    if (g.hasRecording) {
      for (Rule r : g.rules) {
        if (r.spec.alerting()) {
          r.evalAlerting(engine, training, cache, ts, interval, settings, out, store);
        } else {
          List<VectorSample> samples = r.evalRecording(engine, ts);
          if (!samples.isEmpty()) {
            append(samples);
            cache = new RoundCache(base);
            engine = engines.apply(cache);
          }
        }
      }
    } else {
      Engine e = engine;
      RoundCache c = cache;
      var rules = parallel ? g.rules.parallelStream() : g.rules.stream();
      List<RoundOutput> outs = rules.map(r -> {
        RoundOutput o = new RoundOutput();
        r.evalAlerting(e, training, c, ts, interval, settings, o, store);
        return o;
      }).toList();
      outs.forEach(out::addAll);
    }
    try {
      store.write(out.changed, out.removed, out.history);
    } catch (RuntimeException ex) {
      log.error("rule group {}: alert state not saved: {}", g.spec.name(), ex.getMessage());
    }
    if (!out.series.isEmpty()) {
      append(out.series);
    }
    if (!out.alerts.isEmpty()) {
      sink.send(List.copyOf(out.alerts));
    }
    g.lastEvalMs = ts;
    g.lastEvalSeconds = (System.nanoTime() - start) / 1e9;
    listener.evaluated(g.spec.name(), ts, System.nanoTime() - start);
  }

  /** Told after each group evaluation (metrics, benchmarks). */
  @FunctionalInterface
  public interface EvalListener {
    void evaluated(String group, long evalTimeMs, long durationNanos);
  }

  private void append(List<VectorSample> samples) {
    Appender app = appenders.get();
    if (app == null) {
      return;
    }
    try {
      for (VectorSample s : samples) {
        app.append(s.labels(), s.timestampMs(), s.value());
      }
      app.commit();
    } catch (RuntimeException e) {
      app.rollback();
      log.warn("recording rule samples not stored: {}", e.getMessage());
    }
  }

  /** The current groups (read-only views for the API). */
  public List<GroupView> groups() {
    List<GroupView> out = new ArrayList<>();
    for (Group g : groups.values()) {
      out.add(new GroupView(g.spec, g.rules.stream().map(RuleView::new).toList(),
          g.lastEvalMs, g.lastEvalSeconds));
    }
    return out;
  }

  /** Rounds skipped because the group's previous round was still running. */
  public long missedRounds() {
    return missedRounds.get();
  }

  public StateStore store() {
    return store;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (ownsPool) {
      pool.shutdown();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static final class Builder {
    private final Queryable queryable;
    private final Function<Queryable, Engine> engines;
    private final AlertSink sink;
    private Clock clock = Clock.systemUTC();
    private StateStore store = StateStore.NONE;
    private static final Supplier<Appender> NO_APPENDER = () -> null;
    private Supplier<Appender> appenders = NO_APPENDER;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int flapChanges = 6;
    private Duration flapWindow = Duration.ofHours(1);
    private Map<String, String> externalLabels = Map.of();
    private String externalUrl = "";
    private EvalListener listener = (g, t, d) -> { };
    static final java.util.function.Predicate<String> ALL = g -> true;
    private java.util.function.Predicate<String> owns = ALL;

    private Builder(Queryable queryable, Function<Queryable, Engine> engines, AlertSink sink) {
      this.queryable = requireNonNull(queryable, "queryable");
      this.engines = requireNonNull(engines, "engines");
      this.sink = requireNonNull(sink, "sink");
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Builder store(StateStore s) {
      this.store = requireNonNull(s, "store");
      return this;
    }

    /** Where recording rules write (null appender: recording results are dropped). */
    public Builder appenders(Supplier<Appender> a) {
      this.appenders = requireNonNull(a, "appenders");
      return this;
    }

    /** Evaluation threads (default: the number of cores). */
    public Builder threads(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("threads: " + n + " (expected: > 0)");
      }
      this.threads = n;
      return this;
    }

    /** An instance changing state more than {@code changes} times within {@code window} is flapping. */
    public Builder flapping(int changes, Duration window) {
      if (changes <= 0 || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("flapping: " + changes + " changes in " + window
            + " (expected: > 0 changes in a positive window)");
      }
      this.flapChanges = changes;
      this.flapWindow = window;
      return this;
    }

    public Builder externalLabels(Map<String, String> labels) {
      this.externalLabels = Map.copyOf(labels);
      return this;
    }

    /** Base URL of the dashboard for generator URLs (default: relative links). */
    public Builder externalUrl(String url) {
      this.externalUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      return this;
    }

    public Builder listener(EvalListener l) {
      this.listener = requireNonNull(l, "listener");
      return this;
    }

    /**
     * Evaluates on its schedule only the groups {@code owns} accepts at that moment (asked each
     * round); a group's state is read from the store when it becomes this instance's.
     */
    public Builder owns(java.util.function.Predicate<String> owns) {
      this.owns = requireNonNull(owns, "owns");
      return this;
    }

    public RuleManager build() {
      return new RuleManager(this);
    }
  }
}
