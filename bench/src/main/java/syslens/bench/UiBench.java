package syslens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import syslens.agent.v1.Series;

/**
 * {@code syslens bench ui --nodes N}: a server child on loopback with a temp data directory, N
 * simulated agents (real gRPC streams, node_exporter-like series, as {@code bench fleet}), then
 * Debian's headless Chromium (dashboard/e2e/ui-bench.mjs, playwright-core) over the fleet overview
 * and the node list. The last stdout line is one JSON object: nodes, first_render_ms,
 * scroll_frame_p95_ms, heatmap_update_ms, js_heap_bytes, main_bundle_bytes and more.
 */
@Command(name = "ui", mixinStandardHelpOptions = true,
    description = "Dashboard benchmark: N simulated nodes with live data, headless Chromium over the fleet overview "
        + "and the node list. Last stdout line: one JSON object.")
final class UiBench implements Callable<Integer> {
  @Option(names = "--nodes", paramLabel = "N", defaultValue = "10000", description = "Simulated nodes. Default: ${DEFAULT-VALUE}.")
  int nodes;

  @Option(names = "--series", paramLabel = "S", defaultValue = "40",
      description = "Series per node (33 carry every family the overview reads). Default: ${DEFAULT-VALUE}.")
  int series;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s", description = "Collection interval. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--updates", paramLabel = "N", defaultValue = "5", description = "Live heat-map updates timed. Default: ${DEFAULT-VALUE}.")
  int updates;

  @Option(names = "--connect-rate", paramLabel = "N", defaultValue = "200",
      description = "New agent streams per second at the start. Default: ${DEFAULT-VALUE}.")
  int connectRate;

  @Option(names = "--dashboard-dir", paramLabel = "DIR", defaultValue = "dashboard",
      description = "The dashboard checkout (its e2e/ui-bench.mjs and node_modules/playwright-core). Default: ${DEFAULT-VALUE}.")
  Path dashboardDir;

  @Option(names = "--chromium", paramLabel = "FILE", defaultValue = "/usr/bin/chromium", description = "Browser binary. Default: ${DEFAULT-VALUE}.")
  Path chromium;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the run's temp directory goes (default: the system temp dir).")
  Path workDir;

  @Option(names = "--keep", description = "Keep the data directory after the run.")
  boolean keep;

  @Mixin
  BenchMain.ServerOptions server = new BenchMain.ServerOptions();

  private final AtomicInteger up = new AtomicInteger();

  @Override
  public Integer call() throws Exception {
    long intervalMs = BenchMain.parseDuration("--interval", interval);
    if (nodes < 1 || nodes > 100_000) {
      throw new IllegalArgumentException("--nodes: " + nodes + " (expected: 1..100000)");
    }
    if (series < 1 || series > 10_000) {
      throw new IllegalArgumentException("--series: " + series + " (expected: 1..10000)");
    }
    if (connectRate < 1 || connectRate > 10_000) {
      throw new IllegalArgumentException("--connect-rate: " + connectRate + " (expected: 1..10000)");
    }
    if (updates < 1 || updates > 100) {
      throw new IllegalArgumentException("--updates: " + updates + " (expected: 1..100)");
    }
    Path script = dashboardDir.resolve("e2e/ui-bench.mjs");
    if (!Files.isRegularFile(script) || !Files.isDirectory(dashboardDir.resolve("node_modules/playwright-core"))) {
      throw new IllegalArgumentException("--dashboard-dir: " + dashboardDir + " has no e2e/ui-bench.mjs or "
          + "node_modules/playwright-core (expected: the repository's dashboard/ after 'npm ci')");
    }
    if (!Files.isExecutable(chromium)) {
      throw new IllegalArgumentException("--chromium: " + chromium + " is not executable (expected: apt-get install chromium)");
    }
    Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), nodes, series, 360, intervalMs, 0, false, 1);
    Child.Registry children = Child.Registry.withShutdownHook();
    Path work = workDir != null ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-")
        : Files.createTempDirectory("syslens-bench-");
    if (!keep) {
      children.deleteAtEnd(work);
    }
    ObjectNode json = PromApi.JSON.createObjectNode();
    json.put("date", Instant.now().toString());
    int channels = (nodes + 49) / 50;
    NioEventLoopGroup loop = new NioEventLoopGroup(2);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "ui-rounds");
      t.setDaemon(true);
      return t;
    });
    List<ManagedChannel> chans = new ArrayList<>();
    List<FleetAgent> agents = new ArrayList<>();
    try {
      Servers.SysLens s = Servers.SysLens.start(server.launch(), work.resolve("syslens"), children);
      System.err.printf("bench ui: server up in %.1f s on port %d; %d nodes x %d series every %d ms%n",
          s.startSeconds, s.port(), nodes, series, intervalMs);
      SslContext tls = GrpcSslContexts.forClient().trustManager(s.caFile().toFile()).build();
      for (int i = 0; i < channels; i++) {
        chans.add(NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", s.port()))
            .overrideAuthority("localhost").sslContext(tls).eventLoopGroup(loop).channelType(NioSocketChannel.class)
            .directExecutor().maxInboundMessageSize(1 << 20).build());
      }
      FleetAgent.Listener listener = new FleetAgent.Listener() {
        @Override
        public void acked(FleetAgent agent, long samples, long sentNanos, long stampMs) { }

        @Override
        public void connected(FleetAgent agent) {
          up.incrementAndGet();
        }

        @Override
        public void failed(FleetAgent agent, String why) {
          if (!why.startsWith("reject")) {
            up.decrementAndGet();
          }
        }
      };
      String token = s.enrollmentToken();
      Series[] templates = FleetBench.templates(fleet);
      long t0 = System.nanoTime();
      for (int h = 0; h < nodes; h++) {
        FleetAgent a = new FleetAgent(Fleet.hostName(h), token, timer, 32, templates, listener);
        agents.add(a);
        a.connect(chans.get(h % channels));
        long wait = t0 + (long) ((h + 1) * 1e9 / connectRate) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        FleetBench.schedule(timer, a, fleet, templates, h, false, intervalMs);
      }
      // Under load a few agents may lose their Enrolled reply and stay rejected (the server has their
      // enrollment, the agent has no credential): go on once no more connect for 30 s and at least
      // 95 % are up; the JSON says how many streamed.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      long nextReport = System.nanoTime();
      int lastUp = -1;
      long lastProgress = System.nanoTime();
      while (up.get() < nodes) {
        s.child.checkAlive();
        int now = up.get();
        if (now != lastUp) {
          lastUp = now;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30) && now >= nodes * 0.95) {
          System.err.printf("bench ui: %d of %d nodes streaming, no more for 30 s: going on%n", now, nodes);
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(now + " of " + nodes + " nodes connected after 10 min (server log: "
              + work + "/syslens-server.log with --keep)");
        }
        if (System.nanoTime() > nextReport) {
          System.err.printf("bench ui: %d of %d nodes connected%n", now, nodes);
          nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        }
        Thread.sleep(200);
      }
      json.put("nodes_streaming", up.get());
      System.err.printf("bench ui: %d nodes connected in %.1f s%n", up.get(), (System.nanoTime() - t0) / 1e9);
      // Two collection rounds after the last connect: every node has CPU and network rates.
      Thread.sleep(2 * intervalMs + 1000);
      int registered = overviewApi(s, json);

      ProcessBuilder pb = new ProcessBuilder("node", script.toAbsolutePath().toString())
          .directory(dashboardDir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
      pb.environment().putAll(Map.of("BASE_URL", s.api.base() + "/", "SYSLENS_USER", "admin",
          "SYSLENS_PASSWORD", Servers.SysLens.PASSWORD, "NODES", Integer.toString(registered),
          "CHROMIUM", chromium.toString(), "UPDATES", Integer.toString(updates),
          // Their CPU is reported beside Chromium's: the server and this JVM's simulated agents share the cores.
          "SERVER_PID", Long.toString(s.child.pid()), "BENCH_PID", Long.toString(ProcessHandle.current().pid())));
      Process p = pb.start();
      String line = null;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          if (l.startsWith("UIBENCH ")) {
            line = l.substring("UIBENCH ".length());
          }
        }
      }
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("ui-bench.mjs did not finish within 20 min");
      }
      if (p.exitValue() != 0 || line == null) {
        throw new IllegalStateException("ui-bench.mjs failed (exit " + p.exitValue() + "; its messages are above)");
      }
      ObjectNode browser = (ObjectNode) PromApi.JSON.readTree(line);
      ObjectNode result = PromApi.JSON.createObjectNode();
      result.set("nodes", browser.get("nodes"));
      for (String k : List.of("first_render_ms", "scroll_frame_p95_ms", "heatmap_update_ms", "js_heap_bytes",
          "main_bundle_bytes")) {
        result.set(k, browser.get(k));
      }
      browser.fields().forEachRemaining(e -> {
        if (!result.has(e.getKey())) {
          result.set(e.getKey(), e.getValue());
        }
      });
      result.setAll(json);
      result.put("series_per_node", series);
      result.put("interval_ms", intervalMs);
      System.err.printf("bench ui: first render %s ms, scroll p95 %s ms, heat-map update %s ms, JS heap %.1f MiB, "
          + "main bundle %d bytes%n", result.get("first_render_ms"), result.get("scroll_frame_p95_ms"),
          result.get("heatmap_update_ms"), result.path("js_heap_bytes").asLong() / 1048576.0,
          result.path("main_bundle_bytes").asLong());
      System.out.println(PromApi.JSON.writeValueAsString(result));
      return 0;
    } finally {
      agents.forEach(FleetAgent::stop);
      timer.shutdownNow();
      for (ManagedChannel c : chans) {
        c.shutdownNow();
      }
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      children.stopAll();
    }
  }

  /** Ten GETs of /api/v1/fleet/overview: time per request (median, max) and body size; returns the node count. */
  private static int overviewApi(Servers.SysLens s, ObjectNode json) throws Exception {
    long[] ms = new long[10];
    int bytes = 0;
    int count = 0;
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      String body = s.api.get("/api/v1/fleet/overview", Duration.ofSeconds(30));
      ms[i] = (System.nanoTime() - t) / 1_000_000;
      bytes = body.getBytes(StandardCharsets.UTF_8).length;
      JsonNode data = PromApi.JSON.readTree(body).path("data");
      count = data.path("nodes").path("id").size();
      Thread.sleep(500);
    }
    Arrays.sort(ms);
    json.put("overview_api_p50_ms", ms[ms.length / 2]);
    json.put("overview_api_max_ms", ms[ms.length - 1]);
    json.put("overview_api_bytes", bytes);
    json.put("overview_api_nodes", count);
    System.err.printf("bench ui: GET /api/v1/fleet/overview: %d nodes, %d bytes, p50 %d ms, max %d ms%n", count, bytes,
        ms[ms.length / 2], ms[ms.length - 1]);
    return count;
  }
}
