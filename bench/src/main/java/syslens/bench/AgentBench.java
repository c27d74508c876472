package syslens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syslens bench agent --vs node-exporter [--minutes M]}: the SysLens agent (its built jar,
 * the launcher's agent JVM options) streaming to a real SysLens server on loopback, and Debian's
 * node_exporter scraped by this bench every interval, side by side for M minutes. After a
 * warm-up it samples both processes' RSS (VmRSS) every interval and takes CPU from
 * /proc/PID/stat (utime+stime) over the measured window. Series: the agent's from the server
 * ({@code count({node="bench-agent"})}), node_exporter's from its last scrape (sample lines).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Agent footprint beside node_exporter: RSS and CPU of both over M minutes at one "
        + "interval. Last stdout line: one JSON object.")
final class AgentBench implements Callable<Integer> {
  static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");
  static final String NODE_ID = "bench-agent";

  @Option(names = "--vs", paramLabel = "PEER", defaultValue = "node-exporter",
      description = "The peer (only node-exporter). Default: ${DEFAULT-VALUE}.")
  String vs;

  @Option(names = "--minutes", paramLabel = "M", defaultValue = "5",
      description = "Measured minutes (after --warmup). Default: ${DEFAULT-VALUE}.")
  double minutes;

  @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "30s",
      description = "Start-up time left out of the CPU figure. Default: ${DEFAULT-VALUE}.")
  String warmup;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
      description = "Agent interval and node_exporter scrape interval. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--agent-jar", paramLabel = "FILE",
      defaultValue = "${sys:syslens.bench.agentJar:-agent/target/syslens-agent.jar}",
      description = "The agent jar. Default: ${DEFAULT-VALUE}.")
  Path agentJar;

  @Option(names = "--agent-jvm-opts", paramLabel = "OPTS", defaultValue = "${sys:syslens.bench.agentJvmOpts:-}",
      description = "JVM options of the agent (the launcher passes the ones './syslens agent' uses).")
  String agentJvmOpts;

  @Option(names = "--server-jar", paramLabel = "FILE",
      defaultValue = "${sys:syslens.bench.serverJar:-server/target/syslens-server.jar}",
      description = "The SysLens server jar. Default: ${DEFAULT-VALUE}.")
  Path serverJar;

  @Option(names = "--java", paramLabel = "FILE", defaultValue = "${sys:syslens.bench.java:-${sys:java.home}/bin/java}",
      description = "The java that runs the server and the agent. Default: ${DEFAULT-VALUE}.")
  Path java;

  @Option(names = "--server-jvm-opts", paramLabel = "OPTS", defaultValue = "${sys:syslens.bench.serverJvmOpts:-}",
      description = "JVM options of the server.")
  String serverJvmOpts;

  @Override
  public Integer call() throws Exception {
    if (!"node-exporter".equals(vs)) {
      throw new IllegalArgumentException("--vs: " + vs + " (expected: node-exporter)");
    }
    if (!(minutes > 0 && minutes <= 24 * 60)) {
      throw new IllegalArgumentException("--minutes: " + minutes + " (expected: > 0 and <= 1440)");
    }
    long intervalMs = BenchMain.parseDuration("--interval", interval);
    long warmupMs = BenchMain.parseDuration("--warmup", warmup);
    if (intervalMs < 1000) {
      throw new IllegalArgumentException("--interval: " + interval + " (expected: >= 1s)");
    }
    if (!Files.isExecutable(NODE_EXPORTER)) {
      throw new IllegalArgumentException(NODE_EXPORTER + " not found (expected: apt-get install prometheus-node-exporter)");
    }
    if (!Files.isRegularFile(agentJar)) {
      throw new IllegalArgumentException("agent jar: " + agentJar + " not found (expected: ./syslens build)");
    }
    Path work = Files.createTempDirectory("syslens-bench-agent-");
    Child.Registry registry = Child.Registry.withShutdownHook();
    registry.deleteAtEnd(work);
    try {
      Servers.SysLens server = Servers.SysLens.start(
          new Servers.Launch(java, split(serverJvmOpts), serverJar), work.resolve("server"), registry);
      System.err.printf("server up in %.1f s on %s%n", server.startSeconds, server.api.base());
      Path tokenFile = work.resolve("token");
      Files.writeString(tokenFile, server.enrollmentToken());
      List<String> cmd = new ArrayList<>();
      cmd.add(java.toString());
      cmd.addAll(split(agentJvmOpts));
      cmd.addAll(List.of("-jar", agentJar.toString(), "--server", "127.0.0.1:" + server.port(),
          "--ca-file", server.caFile().toString(), "--token-file", tokenFile.toString(),
          "--state-dir", work.resolve("agent-state").toString(), "--node-id", NODE_ID,
          "--interval", interval));
      Child agent = Child.start("syslens-agent", cmd, Map.of("MALLOC_ARENA_MAX", "2"),
          work.resolve("agent.log"), registry);
      int nePort = PromApi.freePort();
      Child ne = Child.start("node_exporter", List.of(NODE_EXPORTER.toString(),
          "--web.listen-address=127.0.0.1:" + nePort), Map.of(), work.resolve("node_exporter.log"), registry);
      PromApi neApi = new PromApi("http://127.0.0.1:" + nePort, null, null);
      neApi.awaitOk("/metrics", ne, Duration.ofSeconds(30));

      long start = System.nanoTime();
      long warmEnd = start + warmupMs * 1_000_000;
      long end = warmEnd + (long) (minutes * 60_000) * 1_000_000;
      double agentCpu0 = Double.NaN;
      double neCpu0 = Double.NaN;
      long agentRssSum = 0;
      long neRssSum = 0;
      long agentRssMax = 0;
      long neRssMax = 0;
      int samples = 0;
      int neSeries = 0;
      long next = start;
      while (System.nanoTime() < end) {
        agent.checkAlive();
        ne.checkAlive();
        neSeries = sampleLines(neApi.get("/metrics", Duration.ofSeconds(10)));
        long now = System.nanoTime();
        if (now >= warmEnd) {
          if (Double.isNaN(agentCpu0)) {
            agentCpu0 = agent.cpuSeconds();
            neCpu0 = ne.cpuSeconds();
            System.err.println("warm-up done; measuring for " + minutes + " min");
          }
          long a = agent.rssBytes();
          long n = ne.rssBytes();
          agentRssSum += a;
          neRssSum += n;
          agentRssMax = Math.max(agentRssMax, a);
          neRssMax = Math.max(neRssMax, n);
          samples++;
          System.err.printf("  agent RSS %.1f MiB, node_exporter RSS %.1f MiB%n", a / 1048576.0, n / 1048576.0);
        }
        next += intervalMs * 1_000_000;
        long sleep = Math.min(next, end) - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
      double seconds = (System.nanoTime() - warmEnd) / 1e9;
      double agentCpu = 100 * (agent.cpuSeconds() - agentCpu0) / seconds;
      double neCpu = 100 * (ne.cpuSeconds() - neCpu0) / seconds;
      long agentRss = agent.rssBytes();
      long neRss = ne.rssBytes();
      int agentSeries = agentSeries(server);
      System.out.printf("%-14s RSS %6.1f MiB (mean %.1f, max %.1f)  CPU %.3f %% of one core  series %d%n",
          "syslens-agent", agentRss / 1048576.0, agentRssSum / 1048576.0 / samples, agentRssMax / 1048576.0,
          agentCpu, agentSeries);
      System.out.printf("%-14s RSS %6.1f MiB (mean %.1f, max %.1f)  CPU %.3f %% of one core  series %d%n",
          "node_exporter", neRss / 1048576.0, neRssSum / 1048576.0 / samples, neRssMax / 1048576.0, neCpu, neSeries);
      System.out.printf("measured %.0f s after %.0f s warm-up, interval %s, %d RSS samples%n",
          seconds, warmupMs / 1000.0, interval, samples);
      ObjectNode json = PromApi.JSON.createObjectNode();
      json.put("bench", "agent");
      json.put("minutes", minutes);
      json.put("rss_bytes", agentRss);
      json.put("rss_max_bytes", agentRssMax);
      json.put("cpu_percent", round3(agentCpu));
      json.put("series", agentSeries);
      ObjectNode peer = json.putObject("node_exporter");
      peer.put("rss_bytes", neRss);
      peer.put("rss_max_bytes", neRssMax);
      peer.put("cpu_percent", round3(neCpu));
      peer.put("series", neSeries);
      System.out.println(json);
      return 0;
    } finally {
      registry.stopAll();
    }
  }

  private static int agentSeries(Servers.SysLens server) throws Exception {
    String q = URLEncoder.encode("count({node=\"" + NODE_ID + "\"})", StandardCharsets.UTF_8);
    // A fresh login: the bench's first token has expired after a run of 10 minutes or more.
    JsonNode r = PromApi.JSON.readTree(server.freshApi().get("/api/v1/query?query=" + q, Duration.ofSeconds(30)));
    JsonNode result = r.path("data").path("result");
    return result.isEmpty() ? 0 : (int) Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  static int sampleLines(String text) {
    int n = 0;
    for (String line : text.split("\n")) {
      if (!line.isEmpty() && line.charAt(0) != '#') {
        n++;
      }
    }
    return n;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static List<String> split(String opts) {
    List<String> out = new ArrayList<>();
    for (String o : opts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        out.add(o);
      }
    }
    return out;
  }
}
