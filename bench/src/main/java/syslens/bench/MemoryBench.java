package syslens.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syslens bench memory}: RAM per active series as the marginal cost, not the whole process
 * divided by the series. One server takes the fleet's first N1 hosts, then hosts N1 to N2 (new
 * agents, the same samples per series), and so on; after each step a full GC (SysLens) and the
 * process's RSS. The marginal figure is (RSS at Nk - RSS at
 * N1) / (series at Nk - series at N1): what one more series costs once the fixed baseline (JVM,
 * code, thread stacks, pools) is paid. With {@code --vs victoriametrics} the same steps into
 * VictoriaMetrics. The whole-process figure (RSS / series) at each step is printed beside it.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = "RAM per active series: RSS after N1, N2, ... hosts (full GC first), marginal and whole-process "
        + "bytes per series; --vs victoriametrics the same steps into VictoriaMetrics. Last stdout line: one JSON object.")
final class MemoryBench extends BenchMain.Common implements Callable<Integer> {
  @Option(names = "--hosts", paramLabel = "N1,N2,...", split = ",", defaultValue = "50,150,300",
      description = "Host counts of the steps, increasing. Default: ${DEFAULT-VALUE}.")
  List<Integer> steps;

  @Option(names = "--hours", paramLabel = "H", defaultValue = "0.25",
      description = "Hours of samples per series, ending now. Default: ${DEFAULT-VALUE}.")
  double hours;

  @Option(names = "--vs", paramLabel = "PEER", description = "Also measure a peer the same way: victoriametrics.")
  String vs;

  @Override
  int hosts() {
    return steps.isEmpty() ? 0 : steps.get(steps.size() - 1);
  }

  @Override
  double hours() {
    return hours;
  }

  @Override
  public Integer call() throws Exception {
    check();
    if (steps.size() < 2) {
      throw new IllegalArgumentException("--hosts: " + steps + " (expected: at least two increasing counts)");
    }
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i) <= steps.get(i - 1) || steps.get(i - 1) < 1) {
        throw new IllegalArgumentException("--hosts: " + steps + " (expected: increasing counts >= 1)");
      }
    }
    if (vs != null && !vs.equals("victoriametrics")) {
      throw new IllegalArgumentException("--vs: " + vs + " (expected: victoriametrics)");
    }
    int rounds = rounds();
    long startMs = startMs(rounds);
    Recording rec = Recording.load();
    List<Fleet> fleets = new ArrayList<>();
    for (int h : steps) {
      fleets.add(Fleet.create(Fleet.Shape.NODE, rec, h, seriesPerHost, rounds, intervalMs(), startMs, false, seed));
    }
    Path work = workDir != null
        ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-memory-")
        : Files.createTempDirectory("syslens-bench-memory-");
    Child.Registry children = Child.Registry.withShutdownHook();
    if (!keep) {
      children.deleteAtEnd(work);
    }
    ObjectNode json = PromApi.JSON.createObjectNode();
    json.put("series_per_host", fleets.get(0).seriesPerHost()).put("rounds", rounds).put("interval_ms", intervalMs());
    try {
      Servers.SysLens s = Servers.SysLens.start(launch(), work.resolve("syslens"), children);
      List<long[]> points = new ArrayList<>();
      int fed = 0;
      for (Fleet f : fleets) {
        Feeds.agents(f, fed, s, 6, 4, 2, 8, new Feeds.Progress("syslens " + f.hosts() + " hosts", f.totalSamples()));
        fed = f.hosts();
        long series = Math.round(s.metric("syslens_tsdb_series", null));
        long rssBeforeGc = s.child.rssBytes();
        double heap = s.liveHeapBytes(); // a full GC first, then the heap in use
        long rssAtGc = s.child.rssBytes();
        long rss = s.child.settledRssBytes(StorageBench.SETTLE_MS);
        points.add(new long[] {series, rss, Math.round(heap)});
        System.err.println("  " + rssParts(s.child.pid()));
        nativeMemory(s);
        System.err.printf("syslens at %d hosts: %,d series, RSS %,d MiB (%,d B per series; %,d MiB before the full GC,"
            + " %,d MiB right after it), live heap %,.0f MiB (%,.0f B per series)%n", f.hosts(), series, rss >> 20,
            rss / series, rssBeforeGc >> 20, rssAtGc >> 20, heap / (1 << 20), heap / series);
      }
      report(json.putObject("syslens"), points);
      s.child.stop();
      if (vs != null) {
        Servers.Victoria v = Servers.Victoria.start(work.resolve("victoriametrics"), children);
        List<long[]> vpoints = new ArrayList<>();
        int vfed = 0;
        for (Fleet f : fleets) {
          Feeds.victoria(f, vfed, v, 6, 16, new Feeds.Progress("victoriametrics " + f.hosts() + " hosts",
              f.totalSamples()));
          vfed = f.hosts();
          v.api.get("/internal/force_flush", Duration.ofMinutes(5));
          long series = (long) f.hosts() * f.seriesPerHost();
          long rss = v.child.settledRssBytes(StorageBench.SETTLE_MS);
          vpoints.add(new long[] {series, rss, -1});
          System.err.println("  " + rssParts(v.child.pid()));
          System.err.printf("victoriametrics at %d hosts: %,d series, RSS %,d MiB (%,d B per series)%n", f.hosts(),
              series, rss >> 20, rss / series);
        }
        ObjectNode vm = json.putObject("vs_victoriametrics");
        report(vm, vpoints);
        v.child.stop();
        ObjectNode ratio = json.putObject("ratio");
        for (String k : List.of("marginal_rss_bytes_per_series", "rss_bytes_per_series")) {
          double a = json.path("syslens").path(k).asDouble();
          double b = vm.path(k).asDouble();
          if (b > 0) {
            ratio.put(k, Math.round(a / b * 1000) / 1000.0);
          }
        }
      }
    } finally {
      children.stopAll();
    }
    json.put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(json));
    return 0;
  }

  /**
   * The kernel's split of the RSS: anonymous (heap, malloc, stacks: the process's own) and
   * file-backed (mapped jars, the AOT cache, memory-mapped data files: page cache the kernel can drop).
   */
  static String rssParts(long pid) throws java.io.IOException {
    StringBuilder sb = new StringBuilder("RSS parts:");
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("RssAnon:") || line.startsWith("RssFile:") || line.startsWith("RssShmem:")) {
        sb.append(' ').append(line.replaceAll("\\s+", " "));
      }
    }
    return sb.toString();
  }

  /**
   * With {@code -XX:NativeMemoryTracking=summary} among the server's JVM options: what the RSS is
   * made of (heap, GC structures, threads, code, direct buffers under "Other"), from jcmd.
   */
  private void nativeMemory(Servers.SysLens s) throws Exception {
    if (!server.launch().jvmOpts().toString().contains("NativeMemoryTracking")) {
      return;
    }
    Path jcmd = server.launch().java().resolveSibling("jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(s.child.pid()), "VM.native_memory", "summary")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\n")) {
      if (line.startsWith("Total:") || line.matches("-\\s+\\S.*committed=.*")) {
        System.err.println("  NMT " + line.trim());
      }
    }
  }

  /**
   * Puts each step's series, RSS and live heap, the marginal RSS and heap per series from the first
   * step to the last, and the whole-process RSS per series at the last step.
   */
  private static void report(ObjectNode out, List<long[]> points) {
    ArrayNode arr = out.putArray("steps");
    for (long[] p : points) {
      ObjectNode o = arr.addObject().put("series", p[0]).put("rss_bytes", p[1]);
      if (p[2] >= 0) {
        o.put("live_heap_bytes", p[2]);
      }
    }
    long[] a = points.get(0);
    long[] z = points.get(points.size() - 1);
    long dSeries = z[0] - a[0];
    if (dSeries <= 0) {
      throw new IllegalStateException("series did not grow between the steps: " + a[0] + " -> " + z[0]);
    }
    out.put("marginal_rss_bytes_per_series", Math.round((double) (z[1] - a[1]) / dSeries));
    if (a[2] >= 0) {
      out.put("marginal_heap_bytes_per_series", Math.round((double) (z[2] - a[2]) / dSeries));
    }
    out.put("rss_bytes_per_series", Math.round((double) z[1] / z[0]));
    System.err.printf("  marginal: %,d B RSS per series (%,d -> %,d series); whole process at the last step: %,d B%n",
        out.path("marginal_rss_bytes_per_series").asLong(), a[0], z[0], out.path("rss_bytes_per_series").asLong());
  }
}
