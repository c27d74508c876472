package syslens.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Starting the servers under test: SysLens (its built jar), VictoriaMetrics and Prometheus (Debian's). */
final class Servers {
  static final Duration START_TIMEOUT = Duration.ofMinutes(10);

  private Servers() {}

  /** How to run the SysLens server jar: the launcher passes its java and JVM options. */
  record Launch(Path java, List<String> jvmOpts, Path jar) {
    Launch {
      requireNonNull(java, "java");
      requireNonNull(jar, "jar");
      jvmOpts = List.copyOf(jvmOpts);
    }

    /** True when a server started now would record the AOT cache (none recorded yet for this jar). */
    boolean recordsAotCache() {
      return jvmOptsNow().stream().anyMatch(o -> o.startsWith("-XX:AOTCacheOutput="));
    }

    /**
     * The same launch with its own AOT cache beside the launcher's: {@code server-…-<name>.aot} instead
     * of {@code server-….aot}, recorded by the first server this launch starts and used by later ones.
     * A bench whose servers must start with a cache trained on its own kind of traffic uses this: the
     * launcher's cache belongs to whichever run came first after a build (a fleet run trains it on
     * ingest alone). The launcher deletes it with the launcher's cache when the jar changes.
     */
    Launch withOwnAotCache(String name) {
      List<String> opts = jvmOpts.stream().map(o -> {
        for (String flag : List.of("-XX:AOTCacheOutput=", "-XX:AOTCache=")) {
          if (o.startsWith(flag) && o.endsWith(".aot")) {
            return "-XX:AOTCacheOutput=" + o.substring(flag.length(), o.length() - ".aot".length()) + "-" + name + ".aot";
          }
        }
        return o;
      }).toList();
      return new Launch(java, opts, jar);
    }

    /**
     * The JVM options for a start now: once an earlier server has recorded the AOT cache that
     * {@code -XX:AOTCacheOutput} names, later ones use it ({@code -XX:AOTCache}) rather than record again.
     */
    List<String> jvmOptsNow() {
      String record = "-XX:AOTCacheOutput=";
      return jvmOpts.stream().map(o -> o.startsWith(record) && Files.isRegularFile(Path.of(o.substring(record.length())))
          ? "-XX:AOTCache=" + o.substring(record.length()) : o).toList();
    }
  }

  /** A running SysLens server in its own JVM. */
  static final class SysLens {
    static final String PASSWORD = "bench-admin-password-0123456789";
    final Child child;
    final Path data;
    final PromApi api;
    final PromApi plain;
    final double startSeconds;
    private final Launch launch;

    private SysLens(Child child, Path data, PromApi api, PromApi plain, double startSeconds, Launch launch) {
      this.child = child;
      this.data = data;
      this.api = api;
      this.plain = plain;
      this.startSeconds = startSeconds;
      this.launch = launch;
    }

    /** Starts the server on a free loopback port, waits for /readyz, logs in as admin. */
    static SysLens start(Launch launch, Path data, Child.Registry registry) throws Exception {
      return start(launch, data, registry, PromApi.freePort());
    }

    /** Starts the server on {@code port} (a restart on the port agents know), waits for /readyz, logs in. */
    static SysLens start(Launch launch, Path data, Child.Registry registry, int port) throws Exception {
      return start(launch, data, registry, port, List.of());
    }

    /** As above with more {@code syslens server} arguments (e.g. a remote store). */
    static SysLens start(Launch launch, Path data, Child.Registry registry, int port, List<String> args)
        throws Exception {
      if (!Files.isRegularFile(launch.jar())) {
        throw new IllegalArgumentException("server jar: " + launch.jar() + " not found (expected: ./syslens build)");
      }
      long t0 = System.nanoTime();
      List<String> cmd = new ArrayList<>();
      cmd.add(launch.java().toString());
      cmd.addAll(launch.jvmOptsNow());
      cmd.addAll(List.of("-jar", launch.jar().toString(), "server", "--bind", "127.0.0.1",
          "--port", Integer.toString(port), "--data", data.toString(),
          // Load generators measure the engine, not the per-user request budget.
          "--rate-limit-user", "0", "--rate-limit-source", "0"));
      cmd.addAll(args);
      Files.createDirectories(data);
      Child c = Child.start("syslens server", cmd, Map.of("SYSLENS_ADMIN_PASSWORD", PASSWORD),
          data.resolveSibling(data.getFileName() + "-server.log"), registry);
      String base = "http://127.0.0.1:" + port;
      PromApi plain = new PromApi(base, null, null);
      plain.awaitOk("/readyz", c, START_TIMEOUT);
      double started = (System.nanoTime() - t0) / 1e9;
      return new SysLens(c, data, login(plain), plain, started, launch);
    }

    /** The API as admin with a new access token (one lives 10 minutes: longer runs log in again). */
    PromApi freshApi() throws Exception {
      return login(plain);
    }

    private static PromApi login(PromApi plain) throws Exception {
      String body = plain.post("/api/v1/auth/login", "application/json",
          ("{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}").getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(30));
      String token = PromApi.JSON.readTree(body).path("token").asText();
      return new PromApi(plain.base(), token, null);
    }

    /**
     * Runs {@code syslens admin compact} on a stopped server's data directory: the head and WAL
     * become blocks (VictoriaMetrics's force_flush + force_merge). Returns its output.
     */
    static String compact(Launch launch, Path data) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(launch.java().toString());
      // Never records the server's AOT cache: with -XX:AOTCacheOutput this one-off command would
      // replace the cache the servers recorded with one trained on compaction only.
      cmd.addAll(launch.jvmOptsNow().stream().filter(o -> !o.startsWith("-XX:AOTCacheOutput=")).toList());
      cmd.addAll(List.of("-jar", launch.jar().toString(), "admin", "compact", "--data", data.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("syslens admin compact failed: " + out);
      }
      return out;
    }

    int port() {
      return Integer.parseInt(api.base().substring(api.base().lastIndexOf(':') + 1));
    }

    String enrollmentToken() throws IOException {
      return Files.readString(data.resolve("secrets/enrollment-token")).trim();
    }

    Path caFile() {
      return data.resolve("tls/ca.crt");
    }

    /** Sum of the samples of a metric family in the server's /metrics (name and optional label filter). */
    double metric(String name, String labelContains) throws Exception {
      return sumMetric(api.get("/metrics", Duration.ofSeconds(30)), name, labelContains);
    }

    /** Live heap: a full GC through jcmd, then the heap in use from /metrics (NaN if unavailable). */
    double liveHeapBytes() throws Exception {
      Path jcmd = launch.java().resolveSibling("jcmd");
      if (Files.isExecutable(jcmd)) {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(child.pid()), "GC.run")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      return metric("jvm_memory_used_bytes", "area=\"heap\"");
    }
  }

  /** Debian's VictoriaMetrics on a free loopback port, its result cache off. */
  static final class Victoria {
    static final Path EXE = Path.of("/usr/bin/victoria-metrics");
    final Child child;
    final Path data;
    final PromApi api;
    final double startSeconds;

    private Victoria(Child child, Path data, PromApi api, double startSeconds) {
      this.child = child;
      this.data = data;
      this.api = api;
      this.startSeconds = startSeconds;
    }

    static Victoria start(Path data, Child.Registry registry) throws Exception {
      if (!Files.isExecutable(EXE)) {
        throw new IllegalArgumentException(EXE + " not found (expected: apt-get install victoria-metrics)");
      }
      long t0 = System.nanoTime();
      int port = PromApi.freePort();
      Files.createDirectories(data);
      Child c = Child.start("victoria-metrics", List.of(EXE.toString(), "-httpListenAddr=127.0.0.1:" + port,
          "-storageDataPath=" + data, "-retentionPeriod=100y", "-search.disableCache",
          "-search.latencyOffset=0s", "-search.maxPointsPerTimeseries=100000", "-search.maxUniqueTimeseries=10000000",
          "-loggerLevel=WARN"), Map.of(), data.resolveSibling(data.getFileName() + "-vm.log"), registry);
      PromApi api = new PromApi("http://127.0.0.1:" + port, null, "&nocache=1");
      api.awaitOk("/health", c, START_TIMEOUT);
      return new Victoria(c, data, api, (System.nanoTime() - t0) / 1e9);
    }

    /** Makes imported data searchable and merged, as after a quiet period. */
    void flushAndMerge(long startMs, long endMs) throws Exception {
      api.get("/internal/force_flush", Duration.ofMinutes(5));
      java.time.YearMonth from = java.time.YearMonth.from(java.time.Instant.ofEpochMilli(startMs).atZone(java.time.ZoneOffset.UTC));
      java.time.YearMonth to = java.time.YearMonth.from(java.time.Instant.ofEpochMilli(endMs).atZone(java.time.ZoneOffset.UTC));
      for (java.time.YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
        api.get("/internal/force_merge?partition_prefix=" + String.format("%04d_%02d", m.getYear(), m.getMonthValue()),
            Duration.ofMinutes(10));
      }
      // Forced merges run in the background; stopping VictoriaMetrics during one panics and loses the
      // parts being merged, and disk bytes are only final after it.
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      Thread.sleep(200);
      while (metricSum("vm_active_force_merges") > 0 || metricSum("vm_active_merges") > 0) {
        child.checkAlive();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("victoria-metrics still merging after 30 min; see " + child.log());
        }
        Thread.sleep(200);
      }
    }

    private double metricSum(String name) throws Exception {
      double v = sumMetric(api.get("/metrics", Duration.ofSeconds(30)), name, null);
      return Double.isNaN(v) ? 0 : v;
    }
  }

  /** Debian's Prometheus serving blocks built by promtool, no scrape targets. */
  static final class Prometheus {
    static final Path EXE = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    final Child child;
    final PromApi api;

    private Prometheus(Child child, PromApi api) {
      this.child = child;
      this.api = api;
    }

    /** promtool create-blocks-from openmetrics INPUT DATA; returns seconds taken. */
    static double createBlocks(Path openMetrics, Path data, Path log) throws Exception {
      if (!Files.isExecutable(PROMTOOL)) {
        throw new IllegalArgumentException(PROMTOOL + " not found (expected: apt-get install prometheus)");
      }
      long t0 = System.nanoTime();
      Files.createDirectories(data);
      Process p = new ProcessBuilder(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics",
          openMetrics.toString(), data.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      try {
        if (!p.waitFor(2, TimeUnit.HOURS)) {
          throw new IllegalStateException("promtool did not finish within 2 h; see " + log);
        }
      } finally {
        p.destroyForcibly();
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("promtool exited with " + p.exitValue() + "; see " + log);
      }
      return (System.nanoTime() - t0) / 1e9;
    }

    static Prometheus start(Path data, Child.Registry registry) throws Exception {
      if (!Files.isExecutable(EXE)) {
        throw new IllegalArgumentException(EXE + " not found (expected: apt-get install prometheus)");
      }
      int port = PromApi.freePort();
      Path config = data.resolveSibling("prometheus.yml");
      Files.writeString(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
      Child c = Child.start("prometheus", List.of(EXE.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y",
          "--web.listen-address=127.0.0.1:" + port, "--query.max-samples=500000000", "--log.level=warn"),
          Map.of(), data.resolveSibling("prometheus.log"), registry);
      PromApi api = new PromApi("http://127.0.0.1:" + port, null, null);
      api.awaitOk("/-/ready", c, START_TIMEOUT);
      return new Prometheus(c, api);
    }
  }

  /** Sum of the samples of metric {@code name} in Prometheus text, NaN when absent; labelContains filters lines. */
  static double sumMetric(String text, String name, String labelContains) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.length() > name.length() && line.startsWith(name)
          && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
          && (labelContains == null || line.contains(labelContains))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /** Bytes of all regular files under dir (apparent size). */
  static long diskBytes(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // removed while walking (a merge)
        }
      }).sum();
    }
  }

  /** Deletes a directory tree (best effort). */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
    }
  }

}
