package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.alerting.Alert;
import syslens.alerting.rules.GroupSpec;
import syslens.alerting.rules.RuleManager;
import syslens.alerting.rules.RuleSpec;
import syslens.query.Engine;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

/**
 * {@code syslens bench alerts --rules N --series M}: M series of H hosts (M / H metrics per host,
 * hosts in groups of 50) in an in-process Tsdb, N rules in groups of 100 (15 s interval), and
 * evaluation rounds as the server runs them (every group at the round's time on the evaluation
 * pool, selections shared within the round). Each round first appends one sample per series
 * (a sine per host; one host in 50 runs hot, so alerts fire and resolve), then evaluates; it
 * prints the round's time.
 * Rule mix (defaults): 80 % threshold over one host group ({@code m3{group="g17"} > 92}), 10 %
 * trend ({@code predict_linear(m1{group="g4"}[2m], 600) > 110}), 10 % fleet-wide aggregation
 * ({@code avg by (group) (m2) > 97}). {@code fire_to_notify_ms} is from the start of the round
 * that made an alert fire to the AlertSink receiving it (in process: notification is the
 * sink's business).
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "Rule evaluation benchmark: N rules over M series in an in-process Tsdb; "
        + "eval time per round and fire-to-sink latency. Last stdout line: one JSON object.")
final class AlertsBench implements Callable<Integer> {
  static final int GROUP_HOSTS = 50;
  static final int RULES_PER_GROUP = 100;
  static final long INTERVAL_MS = 15_000;

  @Option(names = "--rules", paramLabel = "N", defaultValue = "10000",
      description = "Rules. Default: ${DEFAULT-VALUE}.")
  int rules;

  @Option(names = "--series", paramLabel = "M", defaultValue = "20000",
      description = "Series (spread over --hosts). Default: ${DEFAULT-VALUE}.")
  int series;

  @Option(names = "--hosts", paramLabel = "H", defaultValue = "5000",
      description = "Hosts. Default: ${DEFAULT-VALUE}.")
  int hosts;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "20",
      description = "Measured rounds (after 3 warm-up rounds). Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--trend-percent", paramLabel = "P", defaultValue = "10",
      description = "Share of trend rules (predict_linear over one host group). Default: "
          + "${DEFAULT-VALUE}.")
  int trendPercent;

  @Option(names = "--fleet-percent", paramLabel = "P", defaultValue = "10",
      description = "Share of fleet-wide rules (avg by (group) over every host). Default: "
          + "${DEFAULT-VALUE}.")
  int fleetPercent;

  @Option(names = "--threads", paramLabel = "T", defaultValue = "2",
      description = "Evaluation threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--notify", paramLabel = "webhook|none", defaultValue = "webhook",
      description = "webhook: alerts go through the real notifier (routing, grouping, H2 "
          + "notification log, retries) to a webhook receiver posting to an HTTP listener on "
          + "loopback; fire_to_notify_ms is then from the start of the round that made an alert "
          + "fire to its arrival at that listener. none: to an in-process sink. Default: "
          + "${DEFAULT-VALUE}.")
  String notify;

  @Option(names = "--scheduled", description = "Run the groups on their own schedules (spread "
      + "over the interval, as the server does) for --rounds intervals of wall time instead of "
      + "evaluating all groups at once; fire-to-notify is then from the evaluation time of the "
      + "group that made the alert fire.")
  boolean scheduled;

  @Override
  public Integer call() throws Exception {
    check("--rules", rules, 1, 1_000_000);
    check("--hosts", hosts, 1, 1_000_000);
    check("--series", series, hosts, 10_000_000);
    check("--rounds", rounds, 1, 10_000);
    check("--threads", threads, 1, 256);
    check("--trend-percent", trendPercent, 0, 100);
    check("--fleet-percent", fleetPercent, 0, 100 - trendPercent);
    int metrics = series / hosts;
    int hostGroups = Math.max(1, (hosts + GROUP_HOSTS - 1) / GROUP_HOSTS);
    Path dir = Files.createTempDirectory("syslens-bench-alerts");
    List<Double> evalMs = new ArrayList<>();
    List<Double> cpuMs = new ArrayList<>();
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    List<Double> notifyMs = new ArrayList<>();
    List<Double> emitMs = new ArrayList<>(); // round start to the rule manager handing the alert on
    ConcurrentLinkedQueue<long[]> received = new ConcurrentLinkedQueue<>();
    long fired = 0;
    if (!notify.equals("webhook") && !notify.equals("none")) {
      throw new IllegalArgumentException("--notify: " + notify + " (expected: webhook or none)");
    }
    boolean viaWebhook = notify.equals("webhook") && !scheduled;
    WebhookSink hook = viaWebhook ? new WebhookSink() : null;
    RoundClock clock = new RoundClock();
    org.h2.jdbcx.JdbcConnectionPool meta = viaWebhook ? org.h2.jdbcx.JdbcConnectionPool.create(
        "jdbc:h2:file:" + dir.resolve("meta").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE", "syslens", "") : null;
    syslens.alerting.notify.Notifier notifier = viaWebhook ? notifier(meta, hook, clock) : null;
    try (Tsdb tsdb = Tsdb.builder(dir.resolve("tsdb")).build()) {
      Labels[] labels = new Labels[hosts * metrics];
      for (int h = 0; h < hosts; h++) {
        for (int k = 0; k < metrics; k++) {
          labels[h * metrics + k] = Labels.of("__name__", "m" + k, "node", "h" + h,
              "group", "g" + (h / GROUP_HOSTS)).interned();
        }
      }
      RuleManager manager = RuleManager.builder(tsdb, q -> Engine.builder(q).build(),
          alerts -> {
            long now = System.nanoTime();
            for (Alert a : alerts) {
              if (a.firingAt(a.startsAt())) {
                received.add(new long[] {a.startsAt().toEpochMilli(), now});
              }
            }
            if (notifier != null) {
              notifier.send(alerts);
            }
          }).threads(threads).build();
      manager.setGroups(groups(metrics, hostGroups));
      if (scheduled) {
        manager.close();
        return scheduled(tsdb, labels, metrics, hostGroups);
      }
      long t0 = Math.floorDiv(System.currentTimeMillis(), INTERVAL_MS) * INTERVAL_MS
          - (long) (rounds + 13) * INTERVAL_MS;
      // Ten rounds of history first, so trend rules have a window.
      for (int r = 0; r < 10; r++) {
        append(tsdb, labels, metrics, t0 + r * INTERVAL_MS);
      }
      System.err.printf("bench alerts: %d rules in %d groups over %d series (%d hosts x %d "
          + "metrics), %d threads%n", rules, (rules + RULES_PER_GROUP - 1) / RULES_PER_GROUP,
          labels.length, hosts, metrics, threads);
      for (int r = 10; r < rounds + 13; r++) {
        long ts = t0 + r * INTERVAL_MS;
        append(tsdb, labels, metrics, ts);
        received.clear();
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        clock.roundStarted(ts, start);
        if (hook != null && r >= 13) {
          hook.roundStarted(ts, start);
        }
        manager.evalAll(ts);
        double ms = (System.nanoTime() - start) / 1e6;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e6;
        long firedNow = 0;
        for (long[] rcv : received) {
          if (rcv[0] == ts) {
            firedNow++;
            if (r >= 13) {
              emitMs.add((rcv[1] - start) / 1e6);
            }
            if (r >= 13 && hook == null) {
              notifyMs.add((rcv[1] - start) / 1e6);
            }
          }
        }
        if (r >= 13) {
          evalMs.add(ms);
          cpuMs.add(cpu);
          fired += firedNow;
        }
        System.err.printf("round %d%s: %.0f ms (%.0f ms CPU), %d alerts fired%n", r - 12,
            r < 13 ? " (warm-up)" : "", ms, cpu, firedNow);
        if (hook != null && r >= 13) {
          // Through the notifier, rounds keep the real interval: the notifier sees one round's
          // alerts per 15 s, as in the server, not a storm of rounds evaluated back to back.
          long next = start + INTERVAL_MS * 1_000_000L;
          while (System.nanoTime() < next) {
            Thread.sleep(Math.max(1, (next - System.nanoTime()) / 1_000_000));
          }
        }
        if (hook != null && r == 12) {
          // The first rounds fire every alert at once (a cold start): let that burst drain, then measure.
          long t = System.nanoTime();
          awaitQuiet(hook);
          System.err.printf("warm-up burst: %d notifications (%d firing alerts) delivered in %.1f s%n",
              hook.posts(), hook.firingAlerts(), (System.nanoTime() - t) / 1e9 + 3);
          // ... and stored: the notifier's database writer holds the burst's records until its
          // senders are idle, then writes them; measured rounds start after that, not during it.
          long w = System.nanoTime();
          boolean written = notifier.awaitWritten(Duration.ofMinutes(2));
          System.err.printf("warm-up burst %s in %.1f s more%n", written ? "written" : "NOT written", (System.nanoTime() - w) / 1e9);
        }
      }
      manager.close();
      if (hook != null) {
        awaitQuiet(hook);
        notifyMs.addAll(hook.latencies());
        System.err.printf("webhook: %d posts, %d firing alerts, %d malformed; notifier %s%n",
            hook.posts(), hook.firingAlerts(), hook.badPosts(), notifier.stats());
        int i = 0;
        for (List<Double> l : hook.latenciesByRound().values()) {
          System.err.printf("round %d: fire to notify p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d alerts)%n", ++i,
              QueryLoad.pct(l, 50), QueryLoad.pct(l, 99), QueryLoad.pct(l, 100), l.size());
        }
        System.err.printf("fired alerts reached the notifier %.0f ms (p50) / %.0f ms (p99) after their round "
            + "started; the rest of fire-to-notify is grouping (group_interval 1 s) and delivery%n",
            QueryLoad.pct(emitMs, 50), QueryLoad.pct(emitMs, 99));
      }
    } finally {
      if (notifier != null) {
        notifier.close();
        try (var c = meta.getConnection(); var st = c.createStatement()) {
          st.execute("SHUTDOWN"); // before its files are deleted: H2's background writer would fail on them
        }
        meta.dispose();
        hook.close();
      }
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    ObjectNode json = PromApi.JSON.createObjectNode();
    json.put("bench", "alerts").put("rules", rules).put("trend_percent", trendPercent)
        .put("fleet_percent", fleetPercent).put("series", hosts * metrics)
        .put("hosts", hosts).put("threads", threads).put("interval_ms", INTERVAL_MS)
        .put("rounds", evalMs.size()).put("eval_ms_p50", QueryLoad.pct(evalMs, 50))
        .put("eval_ms_p99", QueryLoad.pct(evalMs, 99))
        .put("eval_cpu_ms_p50", QueryLoad.pct(cpuMs, 50))
        .put("fire_to_notify_ms_p50", QueryLoad.pct(notifyMs, 50))
        .put("fire_to_notify_ms_p99", QueryLoad.pct(notifyMs, 99))
        .put("alerts_fired", fired).put("alerts_notified", notifyMs.size())
        .put("notify", hook != null ? "notifier -> webhook -> HTTP listener" : "in-process AlertSink")
        .put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(json));
    return 0;
  }

  /**
   * The notifier as the server builds it, on an H2 file database like the server's metadata: one
   * webhook receiver, alerts grouped by rule ({@code group_by: [alertname]}), a new group sent at
   * once ({@code group_wait: 0s}) and a group's new alerts at its next flush ({@code
   * group_interval: 1s}), as set for paging-grade receivers.
   */
  private static syslens.alerting.notify.Notifier notifier(javax.sql.DataSource db, WebhookSink hook,
      java.time.Clock clock) {
    String config = """
        route: {receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 4h}
        receivers:
        - name: hook
          webhook_configs: [{url: '%s', send_resolved: true}]
        """.formatted(hook.url());
    return syslens.alerting.notify.Notifier.builder(db).clock(clock).initialConfig(config).build().start();
  }

  /**
   * Rounds are evaluated back to back at timestamps 15 s apart, so the notifier's clock follows
   * the rounds: the current round's timestamp plus the wall time since it started.
   */
  static final class RoundClock extends java.time.Clock {
    private volatile long roundTs = System.currentTimeMillis();
    private volatile long roundNanos = System.nanoTime();

    void roundStarted(long ts, long nanos) {
      roundNanos = nanos;
      roundTs = ts;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(roundTs + (System.nanoTime() - roundNanos) / 1_000_000);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("withZone");
    }
  }

  /** Waits until the listener has had firing alerts, then none for 3 s (at most 2 minutes). */
  private static void awaitQuiet(WebhookSink hook) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    long last = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long n = hook.firingAlerts();
      if (n != last) {
        last = n;
        quietSince = System.nanoTime();
      } else if (n > 0 && System.nanoTime() - quietSince > 3_000_000_000L) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** The server's way: per-group schedules on the real clock, data appended every interval. */
  private int scheduled(Tsdb tsdb, Labels[] labels, int metrics, int hostGroups)
      throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    ConcurrentLinkedQueue<Double> notifyMs = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Double> groupMs = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicBoolean measuring = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong fired = new java.util.concurrent.atomic.AtomicLong();
    long now0 = System.currentTimeMillis();
    for (int r = 10; r > 0; r--) {
      append(tsdb, labels, metrics, Math.floorDiv(now0, INTERVAL_MS) * INTERVAL_MS - r * INTERVAL_MS);
    }
    RuleManager manager = RuleManager.builder(tsdb, q -> Engine.builder(q).build(), alerts -> {
      long now = System.currentTimeMillis();
      for (Alert a : alerts) {
        long age = now - a.startsAt().toEpochMilli();
        if (a.firingAt(Instant.ofEpochMilli(now)) && age < INTERVAL_MS && measuring.get()) {
          notifyMs.add((double) age);
          fired.incrementAndGet();
        }
      }
    }).threads(threads).listener((g, t, nanos) -> {
      if (measuring.get()) {
        groupMs.add(nanos / 1e6);
      }
    }).build();
    manager.setGroups(groups(metrics, hostGroups));
    var writer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    long first = (Math.floorDiv(System.currentTimeMillis(), INTERVAL_MS) + 1) * INTERVAL_MS;
    writer.scheduleAtFixedRate(() -> append(tsdb, labels, metrics,
        Math.floorDiv(System.currentTimeMillis(), INTERVAL_MS) * INTERVAL_MS),
        first - System.currentTimeMillis(), INTERVAL_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    manager.start();
    System.err.printf("bench alerts --scheduled: %d rules, %d series, %d warm-up + %d measured "
        + "intervals of %d s%n", rules, labels.length, 2, rounds, INTERVAL_MS / 1000);
    Thread.sleep(2 * INTERVAL_MS);
    measuring.set(true);
    List<Double> cpuPerInterval = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long cpu0 = os.getProcessCpuTime();
      Thread.sleep(INTERVAL_MS);
      cpuPerInterval.add((os.getProcessCpuTime() - cpu0) / 1e6);
      System.err.printf("interval %d: %.0f ms CPU, %d group evaluations so far, %d fired%n",
          r + 1, cpuPerInterval.get(r), groupMs.size(), fired.get());
    }
    measuring.set(false);
    writer.shutdownNow();
    long missed = manager.missedRounds();
    manager.close();
    ObjectNode json = PromApi.JSON.createObjectNode();
    json.put("bench", "alerts").put("mode", "scheduled").put("rules", rules)
        .put("trend_percent", trendPercent).put("fleet_percent", fleetPercent)
        .put("series", labels.length).put("hosts", hosts).put("threads", threads)
        .put("interval_ms", INTERVAL_MS).put("intervals", rounds)
        .put("group_evals", groupMs.size()).put("missed_rounds", missed)
        .put("group_eval_ms_p50", QueryLoad.pct(new ArrayList<>(groupMs), 50))
        .put("group_eval_ms_p99", QueryLoad.pct(new ArrayList<>(groupMs), 99))
        .put("eval_cpu_ms_per_interval_p50", QueryLoad.pct(cpuPerInterval, 50))
        .put("eval_cpu_ms_per_interval_p99", QueryLoad.pct(cpuPerInterval, 99))
        .put("fire_to_notify_ms_p99", QueryLoad.pct(new ArrayList<>(notifyMs), 99))
        .put("alerts_fired", fired.get()).put("notify", "in-process AlertSink")
        .put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(json));
    return 0;
  }

  private static void check(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + ": " + v + " (expected: " + min + ".." + max + ")");
    }
  }

  /**
   * One sample per series: 40 + 40 sin(...) with a phase per host and a period of 20 rounds; one
   * host in 50 runs 20 hotter, so its series cross the thresholds (90 to 99) now and then.
   */
  private static void append(Tsdb tsdb, Labels[] labels, int metrics, long ts) {
    Appender app = tsdb.appender();
    double phase0 = 2 * Math.PI * (ts / INTERVAL_MS) / 20.0;
    for (int i = 0; i < labels.length; i++) {
      int host = i / metrics;
      double hot = host % GROUP_HOSTS == 0 ? 20 : 0;
      app.append(labels[i], ts, 40 + hot + 40 * Math.sin(phase0 + host * 0.7 + (i % metrics)));
    }
    app.commit();
  }

  private List<GroupSpec> groups(int metrics, int hostGroups) {
    List<GroupSpec> out = new ArrayList<>();
    List<RuleSpec> current = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      String m = "m" + (i % metrics);
      String g = "g" + ((i / metrics) % hostGroups);
      double threshold = 90 + (i % 10);
      int pct = i % 100;
      String expr = pct < trendPercent
          ? "predict_linear(" + m + "{group=\"" + g + "\"}[2m], 600) > " + (threshold + 20)
          : pct < trendPercent + fleetPercent ? "avg by (group) (" + m + ") > " + threshold
          : m + "{group=\"" + g + "\"} > " + threshold;
      current.add(new RuleSpec("Rule" + i, RuleSpec.Kind.THRESHOLD, expr, null, null, null, 0, 0,
          i % 3 == 0 ? "critical" : "warning", Map.of("team", "t" + (i % 7)),
          Map.of("summary", "{{ $labels.node }} at {{ $value | humanize }}")));
      if (current.size() == RULES_PER_GROUP || i == rules - 1) {
        out.add(new GroupSpec("group" + out.size(), INTERVAL_MS, current));
        current = new ArrayList<>();
      }
    }
    return out;
  }
}
