package syslens.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syslens bench cluster --instances 1,2,3}: the same fleet fed through 1, 2, 3 ingest
 * instances (each its own JVM, data directory and H2 metadata; the hosts split evenly among them)
 * into one VictoriaMetrics by remote-write. For each count: samples acknowledged per second
 * (the agents' view: in each instance's fsynced write buffer), samples per second until the store
 * holds them all (every instance's buffer sent), and the CPU of the instances and of the store.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Ingest throughput with N SysLens ingest instances into one VictoriaMetrics (--storage "
        + "prometheus-remote), for each N of --instances. Last stdout line: one JSON object with instances and "
        + "samples_per_s lists.")
final class ClusterBench extends BenchMain.Common implements Callable<Integer> {
  @Option(names = "--instances", paramLabel = "N,...", defaultValue = "1,2,3",
      description = "Instance counts to run, one after the other. Default: ${DEFAULT-VALUE}.")
  String instances;

  @Option(names = "--hosts", paramLabel = "N", defaultValue = "60", description = "Simulated hosts (one agent each). Default: ${DEFAULT-VALUE}.")
  int hosts;

  @Option(names = "--hours", paramLabel = "H", defaultValue = "0.25", description = "Hours of data, ending now. Default: ${DEFAULT-VALUE}.")
  double hours;

  @Option(names = "--rounds-per-batch", paramLabel = "N", defaultValue = "6",
      description = "Rounds (one sample per series) in one agent batch. Default: ${DEFAULT-VALUE}.")
  int roundsPerBatch;

  @Option(names = "--inflight", paramLabel = "N", defaultValue = "2", description = "Unacked batches per agent. Default: ${DEFAULT-VALUE}.")
  int inflight;

  @Override
  int hosts() {
    return hosts;
  }

  @Override
  double hours() {
    return hours;
  }

  static List<Integer> parseInstances(String list) {
    List<Integer> out = new ArrayList<>();
    for (String p : list.split(",", -1)) {
      try {
        int n = Integer.parseInt(p.strip());
        if (n < 1 || n > 8) {
          throw new NumberFormatException();
        }
        out.add(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--instances: \"" + list + "\" (expected: counts 1..8, e.g. 1,2,3)");
      }
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    check();
    List<Integer> counts = parseInstances(instances);
    if (roundsPerBatch < 1 || roundsPerBatch > 1000 || inflight < 1 || inflight > 64) {
      throw new IllegalArgumentException("--rounds-per-batch 1..1000, --inflight 1..64 (got " + roundsPerBatch
          + ", " + inflight + ")");
    }
    for (int n : counts) {
      if (n > hosts) {
        throw new IllegalArgumentException("--instances " + n + " > --hosts " + hosts + " (expected: a host per instance at least)");
      }
    }
    Path work = workDir != null
        ? Files.createTempDirectory(Files.createDirectories(workDir), "syslens-bench-")
        : Files.createTempDirectory("syslens-bench-");
    Child.Registry children = Child.Registry.withShutdownHook();
    if (!keep) {
      children.deleteAtEnd(work);
    }
    ObjectNode json = PromApi.JSON.createObjectNode();
    ArrayNode ns = json.putArray("instances");
    ArrayNode acked = json.putArray("samples_per_s");
    ArrayNode stored = json.putArray("stored_samples_per_s");
    ArrayNode cpu = json.putArray("syslens_cpu_s");
    ArrayNode vmCpu = json.putArray("victoriametrics_cpu_s");
    try {
      for (int n : counts) {
        int rounds = rounds();
        Fleet fleet = Fleet.create(Fleet.Shape.NODE, Recording.load(), hosts, seriesPerHost, rounds, intervalMs(),
            startMs(rounds), false, seed);
        System.err.printf("bench cluster: %d instance(s), %d hosts x %d series, %d rounds = %,d samples%n", n, hosts,
            fleet.seriesPerHost(), rounds, fleet.totalSamples());
        Run r = run(fleet, n, work.resolve("n" + n), children);
        ns.add(n);
        acked.add(Math.round(r.accepted / r.ackSeconds));
        stored.add(Math.round(r.accepted / r.storedSeconds));
        cpu.add(Math.round(r.cpu * 10) / 10.0);
        vmCpu.add(Math.round(r.vmCpu * 10) / 10.0);
        System.err.printf("  %d instance(s): %,.0f samples/s acknowledged (%.1f s), %,.0f samples/s in VictoriaMetrics"
            + " (%.1f s), SysLens %.1f CPU-s (%,.0f samples per CPU-s), VictoriaMetrics %.1f CPU-s, %,d refused%n",
            n, r.accepted / r.ackSeconds, r.ackSeconds, r.accepted / r.storedSeconds, r.storedSeconds, r.cpu,
            r.accepted / r.cpu, r.vmCpu, r.refused);
      }
    } finally {
      children.stopAll();
    }
    json.put("hosts", hosts).put("series_per_host", seriesPerHost).put("hours", hours)
        .put("cores", Runtime.getRuntime().availableProcessors()).put("date", Instant.now().toString());
    System.out.println(PromApi.JSON.writeValueAsString(json));
    return 0;
  }

  record Run(long accepted, long refused, double ackSeconds, double storedSeconds, double cpu, double vmCpu) {}

  private Run run(Fleet fleet, int n, Path dir, Child.Registry children) throws Exception {
    Servers.Victoria vm = Servers.Victoria.start(dir.resolve("vm"), children);
    List<Servers.SysLens> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(Servers.SysLens.start(launch(), dir.resolve("syslens-" + i), children, PromApi.freePort(),
          List.of("--storage", "prometheus-remote", "--storage-url", vm.api.base() + "/api/v1/write")));
    }
    double[] cpu0 = new double[n];
    for (int i = 0; i < n; i++) {
      cpu0[i] = servers.get(i).child.cpuSeconds();
    }
    double vm0 = vm.child.cpuSeconds();
    ExecutorService feeders = Executors.newFixedThreadPool(n);
    long t0 = System.nanoTime();
    long accepted = 0;
    long refused = 0;
    try {
      List<Future<Feeds.Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Servers.SysLens s = servers.get(i);
        int from = hosts * i / n;
        int to = hosts * (i + 1) / n;
        outcomes.add(feeders.submit(() -> Feeds.agents(fleet, from, to, s, roundsPerBatch, inflight, 2, 2,
            new Feeds.Progress("instance " + from + ".." + to, fleet.totalSamples() / fleet.hosts() * (to - from)),
            null)));
      }
      for (Future<Feeds.Outcome> f : outcomes) {
        Feeds.Outcome o = f.get();
        accepted += o.accepted();
        refused += o.refused();
      }
    } finally {
      feeders.shutdownNow();
    }
    double ackSeconds = (System.nanoTime() - t0) / 1e9;
    // Every instance's buffer sent: the store holds what was acknowledged.
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (true) {
      double sent = 0;
      for (Servers.SysLens s : servers) {
        sent += s.metric("syslens_remote_samples_sent_total", null);
      }
      // The servers' own series (up, staleness markers) are sent too: at least every fed sample.
      if (sent >= accepted) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the instances sent " + (long) sent + " of " + accepted
            + " samples to VictoriaMetrics in 10 min");
      }
      Thread.sleep(100);
    }
    double storedSeconds = (System.nanoTime() - t0) / 1e9;
    double cpu = 0;
    for (int i = 0; i < n; i++) {
      cpu += servers.get(i).child.cpuSeconds() - cpu0[i];
    }
    double vmCpu = vm.child.cpuSeconds() - vm0;
    for (Servers.SysLens s : servers) {
      s.child.stop();
    }
    vm.child.stop();
    Servers.deleteTree(dir);
    return new Run(accepted, refused, ackSeconds, storedSeconds, cpu, vmCpu);
  }
}
