package syslens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import syslens.agent.v1.Label;
import syslens.agent.v1.Series;

/**
 * {@code syslens bench fleet}: N simulated agents in this process, each with its own gRPC stream
 * over loopback TLS to a real server child process, collecting node_exporter-like rounds on their
 * own per-node phase (as the agent's CollectionScheduler); measures connected agents, samples/s,
 * collection-to-queryable latency of probe series, ack latency, server CPU and RSS, and recovery
 * after a server restart.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
    description = "Fleet benchmark: N simulated agents (real gRPC streams over loopback) against a server child "
        + "process; latency, server CPU/RSS, recovery after a restart. Last stdout line: one JSON object.")
final class FleetBench implements Callable<Integer> {
  static final String PROBE = "syslens_bench_probe";

  @Option(names = "--agents", paramLabel = "N", defaultValue = "1000", description = "Simulated agents. Default: ${DEFAULT-VALUE}.")
  int agents;

  @Option(names = "--series", paramLabel = "S", defaultValue = "200", description = "Series per agent. Default: ${DEFAULT-VALUE}.")
  int series;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s", description = "Collection interval. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--minutes", paramLabel = "M", defaultValue = "3", description = "Measured minutes (after one warm-up interval). Default: ${DEFAULT-VALUE}.")
  double minutes;

  @Option(names = "--streams-per-channel", paramLabel = "N", defaultValue = "50",
      description = "Agent streams sharing one TLS connection (real agents have one each; many streams on one "
          + "connection share its HTTP/2 window). Default: ${DEFAULT-VALUE}.")
  int streamsPerChannel;

  @Option(names = "--probes", paramLabel = "N", defaultValue = "50",
      description = "Agents that also send a probe series whose value is its collection time. Default: ${DEFAULT-VALUE}.")
  int probes;

  @Option(names = "--connect-rate", paramLabel = "N", defaultValue = "500", description = "New agent streams per second at the start. Default: ${DEFAULT-VALUE}.")
  int connectRate;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long every agent may take to be connected at the start (enrolment runs at tens of "
          + "nodes a second on a loaded 2-core machine). Default: ${DEFAULT-VALUE}.")
  String connectTimeout;

  @Option(names = "--outage", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long the server is down in the recovery step; 0s skips it. Default: ${DEFAULT-VALUE}.")
  String outage;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the run's temp directory goes (default: the system temp dir).")
  Path workDir;

  @Option(names = "--keep", description = "Keep the data directory after the run.")
  boolean keep;

  @Mixin
  BenchMain.ServerOptions server = new BenchMain.ServerOptions();

  private final AtomicLong samplesAcked = new AtomicLong();
  private final AtomicInteger up = new AtomicInteger();
  private final AtomicLong failures = new AtomicLong();
  private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
  private final Histogram ackMs = new Histogram();
  private final Histogram visibleMs = new Histogram();

  @Override
  public Integer call() throws Exception {
    long intervalMs = BenchMain.parseDuration("--interval", interval);
    long outageMs = outage.equals("0") ? 0 : BenchMain.parseDuration("--outage", outage);
    check(intervalMs);
    Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), agents, series, 360, intervalMs,
        0, false, 1);
    Child.Registry children = Child.Registry.withShutdownHook();
    Path work = workDir != null ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-")
        : Files.createTempDirectory("syslens-bench-");
    if (!keep) {
      children.deleteAtEnd(work);
    }
    Path data = work.resolve("syslens");
    ObjectNode json = PromApi.JSON.createObjectNode();
    json.put("date", Instant.now().toString());
    json.put("agents", agents);
    json.put("series_per_agent", series);
    json.put("interval_ms", intervalMs);
    int channels = (agents + streamsPerChannel - 1) / streamsPerChannel;
    json.put("channels", channels);
    NioEventLoopGroup loop = new NioEventLoopGroup(2);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "fleet-rounds");
      t.setDaemon(true);
      return t;
    });
    List<ManagedChannel> chans = new ArrayList<>();
    List<FleetAgent> fleetAgents = new ArrayList<>();
    try {
      Servers.SysLens s = Servers.SysLens.start(server.launch(), data, children);
      System.err.printf("bench fleet: server up in %.1f s on port %d; %d agents x %d series every %d ms over %d "
          + "connections%n", s.startSeconds, s.port(), agents, series, intervalMs, channels);
      SslContext tls = GrpcSslContexts.forClient().trustManager(s.caFile().toFile()).build();
      for (int i = 0; i < channels; i++) {
        chans.add(NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", s.port()))
            .overrideAuthority("localhost").sslContext(tls).eventLoopGroup(loop).channelType(NioSocketChannel.class)
            .directExecutor().maxInboundMessageSize(1 << 20).build());
      }
      String token = s.enrollmentToken();
      FleetAgent.Listener listener = new FleetAgent.Listener() {
        @Override
        public void acked(FleetAgent agent, long samples, long sentNanos, long stampMs) {
          samplesAcked.addAndGet(samples);
          ackMs.add((System.nanoTime() - sentNanos) / 1_000_000);
        }

        @Override
        public void connected(FleetAgent agent) {
          up.incrementAndGet();
        }

        @Override
        public void failed(FleetAgent agent, String why) {
          if (why.startsWith("reject")) {
            failures.incrementAndGet();
            lastFailure.put("reject", why);
          } else {
            up.decrementAndGet();
          }
        }
      };
      // Connect at --connect-rate, then every agent collects on its own phase.
      long t0 = System.nanoTime();
      Series[] templates = templates(fleet);
      Series[] withProbe = withProbe(templates);
      int probeEvery = Math.max(1, agents / Math.max(1, probes));
      for (int h = 0; h < agents; h++) {
        FleetAgent a = new FleetAgent(Fleet.hostName(h), token, timer, 720, h % probeEvery == 0 ? withProbe : templates,
            listener);
        fleetAgents.add(a);
        a.connect(chans.get(h % channels));
        long due = t0 + (long) ((h + 1) * 1e9 / connectRate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        schedule(timer, a, fleet, templates, h, h % probeEvery == 0, intervalMs);
      }
      awaitUp(Duration.ofMillis(BenchMain.parseDuration("--connect-timeout", connectTimeout)), s.child);
      double connectS = (System.nanoTime() - t0) / 1e9;
      System.err.printf("bench fleet: %d agents connected in %.1f s%n", up.get(), connectS);
      json.put("connect_s", round(connectS));

      // Warm-up: the rounds collected while the fleet was connecting are delivered first (at most
      // 5 min), then one more interval; then the measured window. Delivered: at most one agent in
      // ten has a batch waiting for its ack (a fleet in step, acks within ~100 ms, has ~1 %). One
      // batch per agent on average is not delivered: since the server holds back a busy stream's
      // next message in its connection (StreamInbox.Gate), a backlog is ~1 unacked batch per agent.
      long drain0 = System.nanoTime();
      while (fleetAgents.stream().mapToLong(FleetAgent::unackedBatches).sum() > agents / 10
          && System.nanoTime() - drain0 < TimeUnit.MINUTES.toNanos(5)) {
        s.child.checkAlive();
        Thread.sleep(500);
      }
      double drainS = (System.nanoTime() - drain0) / 1e9;
      json.put("startup_backlog_drain_s", round(drainS));
      System.err.printf("bench fleet: start-up backlog delivered in %.1f s%n", drainS);
      Thread.sleep(intervalMs + 1000);
      Prober prober = new Prober(s.api, visibleMs);
      Thread probeThread = Thread.ofPlatform().daemon().name("fleet-probe").start(prober);
      ackMs.reset();
      long acked0 = samplesAcked.get();
      double cpu0 = s.child.cpuSeconds();
      double benchCpu0 = benchCpuSeconds();
      long w0 = System.nanoTime();
      long windowNanos = (long) (minutes * 60e9);
      long rssMax = 0;
      int minUp = up.get();
      while (System.nanoTime() - w0 < windowNanos) {
        Thread.sleep(5000);
        s.child.checkAlive();
        rssMax = Math.max(rssMax, s.child.rssBytes());
        minUp = Math.min(minUp, up.get());
        System.err.printf("bench fleet: %3.0f s  up %d  samples/s %.0f  ack p99 %d ms  visible p50/p99 %d/%d ms  "
            + "server rss %.0f MiB%n", (System.nanoTime() - w0) / 1e9, up.get(),
            (samplesAcked.get() - acked0) / ((System.nanoTime() - w0) / 1e9), ackMs.quantile(0.99),
            visibleMs.quantile(0.5), visibleMs.quantile(0.99), rssMax / 1048576.0);
      }
      double secs = (System.nanoTime() - w0) / 1e9;
      double cpu = (s.child.cpuSeconds() - cpu0) / secs * 100;
      double benchCpu = (benchCpuSeconds() - benchCpu0) / secs * 100;
      prober.stop();
      probeThread.join(10_000);
      json.put("agents_connected", minUp);
      json.put("samples_per_s", Math.round((samplesAcked.get() - acked0) / secs));
      json.put("latency_p50_ms", visibleMs.quantile(0.5));
      json.put("latency_p99_ms", visibleMs.quantile(0.99));
      json.put("latency_max_ms", visibleMs.quantile(1.0));
      json.put("latency_probes", visibleMs.count());
      json.put("ack_p50_ms", ackMs.quantile(0.5));
      json.put("ack_p99_ms", ackMs.quantile(0.99));
      json.put("server_cpu_percent", round(cpu));
      json.put("server_rss_bytes", rssMax);
      json.put("bench_cpu_percent", round(benchCpu)); // the load generator's own share of the 2 cores
      json.put("rejects", failures.get());
      System.err.printf("bench fleet: %d agents held, %.0f samples/s, collection-to-queryable p50 %d ms p99 %d ms "
          + "(%d probes), ack p50 %d ms p99 %d ms, server CPU %.1f %%, RSS %.0f MiB%n", minUp,
          (samplesAcked.get() - acked0) / secs, visibleMs.quantile(0.5), visibleMs.quantile(0.99), visibleMs.count(),
          ackMs.quantile(0.5), ackMs.quantile(0.99), cpu, rssMax / 1048576.0);

      if (outageMs > 0) {
        recovery(s, fleetAgents, outageMs, children, json);
      }
      long dropped = fleetAgents.stream().mapToLong(FleetAgent::dropped).sum();
      json.put("batches_dropped_by_agents", dropped);
      if (!lastFailure.isEmpty()) {
        json.put("last_reject", lastFailure.get("reject"));
      }
      System.out.println(PromApi.JSON.writeValueAsString(json));
      return 0;
    } finally {
      fleetAgents.forEach(FleetAgent::stop);
      timer.shutdownNow();
      for (ManagedChannel c : chans) {
        c.shutdownNow();
      }
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      children.stopAll();
    }
  }

  /**
   * Stops the server, keeps the agents collecting for {@code outageMs}, starts it again on the
   * same port and data: recovery is the time from that start until every agent is connected and
   * has delivered every batch it collected before the restart.
   */
  private void recovery(Servers.SysLens s, List<FleetAgent> fleetAgents, long outageMs, Child.Registry children,
      ObjectNode json) throws Exception {
    int port = s.port();
    System.err.printf("bench fleet: stopping the server for %d s%n", outageMs / 1000);
    // As systemd stops it (deploy/systemd: TimeoutStopSec=60): a server killed before its
    // checkpoint replays the whole WAL at the next start.
    double stopS = s.child.stop(60);
    json.put("server_stop_s", round(stopS));
    System.err.printf("bench fleet: server stopped in %.1f s (SIGTERM; SIGKILL after 60 s)%n", stopS);
    Thread.sleep(outageMs);
    long restartMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Servers.SysLens again = Servers.SysLens.start(server.launch(), s.data, children, port);
    json.put("restart_to_ready_s", round(again.startSeconds));
    long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
    while (true) {
      int behind = 0;
      for (FleetAgent a : fleetAgents) {
        if (!a.up() || a.oldestUnackedStamp() < restartMs) {
          behind++;
        }
      }
      if (behind == 0) {
        break;
      }
      again.child.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(behind + " agents not recovered 10 min after the restart");
      }
      Thread.sleep(100);
    }
    double recoveryS = (System.nanoTime() - t0) / 1e9;
    json.put("recovery_s", round(recoveryS));
    json.put("server_rss_after_recovery_bytes", again.child.rssBytes());
    System.err.printf("bench fleet: after a %d s outage, server ready in %.1f s, all %d agents back with every "
        + "buffered batch acked %.1f s after the restart%n", outageMs / 1000, again.startSeconds, fleetAgents.size(),
        recoveryS);
  }

  /** CPU time of this process (the simulated agents), in seconds. */
  private static double benchCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  private void check(long intervalMs) {
    if (agents < 1 || agents > 100_000) {
      throw new IllegalArgumentException("--agents: " + agents + " (expected: 1..100000)");
    }
    if (series < 1 || series > 10_000) {
      throw new IllegalArgumentException("--series: " + series + " (expected: 1..10000)");
    }
    if (intervalMs < 1000 || intervalMs > 600_000) {
      throw new IllegalArgumentException("--interval: " + interval + " (expected: 1s..10m)");
    }
    if (!(minutes > 0 && minutes <= 24 * 60)) {
      throw new IllegalArgumentException("--minutes: " + minutes + " (expected: > 0 and <= 1440)");
    }
    if (streamsPerChannel < 1 || connectRate < 1 || probes < 1) {
      throw new IllegalArgumentException("--streams-per-channel, --connect-rate, --probes: expected >= 1");
    }
  }

  private void awaitUp(Duration timeout, Child child) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (up.get() < agents) {
      child.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(up.get() + " of " + agents + " agents connected after " + timeout
            + "; last reject: " + lastFailure.get("reject"));
      }
      Thread.sleep(100);
    }
  }

  /**
   * The series' labels once, each with its ref (1..S; the probe is S + 1): the server adds node and
   * instance, so every agent sends the same label lists. A stream's first batch carries labels and
   * refs, later ones refs alone ({@link FleetAgent}), as the agent sends.
   */
  static Series[] templates(Fleet f) {
    Series[] out = new Series[f.seriesPerHost()];
    for (int s = 0; s < out.length; s++) {
      Series.Builder b = Series.newBuilder().setRef(s + 1);
      for (String[] l : f.seriesLabels(s)) {
        b.addLabels(Label.newBuilder().setName(l[0]).setValue(l[1]));
      }
      out[s] = b.build();
    }
    return out;
  }

  /** {@code templates} and the probe series (ref S + 1), whose value is its collection time. */
  static Series[] withProbe(Series[] templates) {
    Series[] out = java.util.Arrays.copyOf(templates, templates.length + 1);
    out[templates.length] = Series.newBuilder().setRef(templates.length + 1)
        .addLabels(Label.newBuilder().setName("__name__").setValue(PROBE)).build();
    return out;
  }

  /** Rounds of host h on its own phase (FNV-1a of the node id, as the agent), stamped on its grid. */
  static void schedule(ScheduledExecutorService timer, FleetAgent a, Fleet f, Series[] templates, int h,
      boolean probe, long intervalMs) {
    long phase = Math.floorMod(phaseSeed(a.nodeId), intervalMs);
    long now = System.currentTimeMillis();
    long next = Math.floorDiv(now - phase, intervalMs) * intervalMs + phase + intervalMs;
    long[] round = {0};
    timer.scheduleAtFixedRate(() -> {
      long stamp = Math.floorDiv(System.currentTimeMillis() - phase, intervalMs) * intervalMs + phase;
      int r = (int) (round[0]++ % f.rounds());
      double[] values = new double[templates.length + (probe ? 1 : 0)];
      for (int s = 0; s < templates.length; s++) {
        values[s] = f.value(h, s, r);
      }
      if (probe) {
        values[templates.length] = stamp;
      }
      a.collected(stamp, values);
    }, next - now, intervalMs, TimeUnit.MILLISECONDS);
  }

  static long phaseSeed(String nodeId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < nodeId.length(); i++) {
      h ^= nodeId.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /**
   * Polls {@code syslens_bench_probe} every 100 ms through /api/v1/query: each probe series' value
   * is its collection time, so a new value seen at t was collected t - value ago (at most 100 ms
   * of polling delay included).
   */
  static final class Prober implements Runnable {
    private final PromApi api;
    private final Histogram out;
    private final Map<String, Double> last = new HashMap<>();
    private volatile boolean stopped;

    Prober(PromApi api, Histogram out) {
      this.api = api;
      this.out = out;
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      String q = "/api/v1/query?query=" + URLEncoder.encode(PROBE, StandardCharsets.UTF_8);
      boolean first = true;
      while (!stopped) {
        long t0 = System.currentTimeMillis();
        try {
          JsonNode res = PromApi.JSON.readTree(api.get(q, Duration.ofSeconds(10))).path("data").path("result");
          long now = System.currentTimeMillis();
          for (JsonNode r : res) {
            String node = r.path("metric").path("node").asText();
            double v = Double.parseDouble(r.path("value").path(1).asText());
            Double before = last.put(node, v);
            if (!first && (before == null || v > before)) {
              out.add(now - (long) v);
            }
          }
          first = false;
          long sleep = 100 - (System.currentTimeMillis() - t0);
          if (sleep > 0) {
            Thread.sleep(sleep);
          }
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          System.err.println("bench fleet: probe query failed: " + e.getMessage());
        }
      }
    }
  }

  /** Milliseconds 0..600,000 at 1 ms resolution, recorded from any thread. */
  static final class Histogram {
    private static final int MAX = 600_000;
    private final AtomicLongArray counts = new AtomicLongArray(MAX + 1);
    private final AtomicLong n = new AtomicLong();

    void add(long ms) {
      counts.incrementAndGet((int) Math.max(0, Math.min(MAX, ms)));
      n.incrementAndGet();
    }

    long count() {
      return n.get();
    }

    void reset() {
      for (int i = 0; i <= MAX; i++) {
        counts.set(i, 0);
      }
      n.set(0);
    }

    /** The q-quantile in ms (q = 1: the maximum); -1 when empty. */
    long quantile(double q) {
      long total = 0;
      for (int i = 0; i <= MAX; i++) {
        total += counts.get(i);
      }
      if (total == 0) {
        return -1;
      }
      long rank = Math.max(1, (long) Math.ceil(q * total));
      long seen = 0;
      for (int i = 0; i <= MAX; i++) {
        seen += counts.get(i);
        if (seen >= rank) {
          return i;
        }
      }
      return MAX;
    }
  }
}
