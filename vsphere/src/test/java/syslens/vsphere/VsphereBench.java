package syslens.vsphere;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import syslens.storage.AppendStatus;
import syslens.vsphere.client.PerfCounter;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryReader;
import syslens.vsphere.inventory.InventoryWatch;
import syslens.vsphere.perf.PerfReader;

/**
 * {@code ./syslens bench vsphere --vms N}: starts vcsim with N VMs on loopback, then measures a
 * full inventory read and one realtime performance cycle (every VM and host, all counters) with
 * the collector's own code. Samples go through the ingest pipeline into an embedded TSDB (WAL on,
 * in a temp directory), as in the server. The last output line is one JSON object.
 */
public final class VsphereBench {
  private VsphereBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("guest")) {
      syslens.vsphere.guest.GuestBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    int vms = 1500;
    int concurrency = 50;
    int batch = 256;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--vms" -> vms = positive(args, ++i);
        case "--concurrency" -> concurrency = positive(args, ++i);
        case "--batch" -> batch = positive(args, ++i);
        default -> {
          System.err.println("bench vsphere: unknown option '" + args[i]
              + "' (expected: --vms N, --concurrency N, --batch N)");
          System.exit(2);
        }
      }
    }
    int clusters = Math.max(1, (vms + 499) / 500);
    int perCluster = vms / clusters;
    if (perCluster * clusters != vms) {
      System.err.println("bench vsphere: --vms " + vms + " (expected: a multiple of " + clusters
          + " so that clusters of <= 500 VMs are equal)");
      System.exit(2);
    }
    int hostsPerCluster = Math.min(10, Math.max(1, perCluster / 30));
    System.err.printf("starting vcsim: %d clusters x %d hosts, %d VMs each%n", clusters, hostsPerCluster, perCluster);
    Path data = Files.createTempDirectory("syslens-bench-vsphere-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(data)));
    try (syslens.tsdb.Tsdb tsdb = syslens.tsdb.Tsdb.builder(data).build();
        VcSim sim = VcSim.start("-cluster", Integer.toString(clusters), "-host", Integer.toString(hostsPerCluster),
        "-vm", Integer.toString(perCluster));
        VimClient client = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
            .pinnedSha256(sim.sha256()).maxConcurrency(concurrency).build())) {
      syslens.ingest.IngestPipeline pipeline = syslens.ingest.IngestPipeline.builder(tsdb).build();
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      client.login();
      long simCpu0 = cpuTicks(sim.pid());
      long cpu0 = processCpuNanos();
      Map<String, Long> threads0 = threadCpuTicks();
      long t0 = System.nanoTime();
      Map<String, PerfCounter> counters = client.perfCounters();
      long maxQueryMetrics = client.numericOption(VCenterCollector.MAX_QUERY_METRICS).orElse(-1);
      InventoryWatch watch = new InventoryWatch(new InventoryReader(Clock.systemUTC(), 1000), 1000);
      Inventory inv = watch.refresh(client, "bench"); // what the collector does: a full read through a filter
      long t1 = System.nanoTime();
      AtomicLong stored = new AtomicLong();
      IngestSink ingest = IngestSink.create(pipeline);
      SampleSink sink = batchOf -> {
        AppendStatus[] st = ingest.write(batchOf);
        stored.addAndGet(java.util.Arrays.stream(st).filter(x -> x == AppendStatus.OK).count());
        return st;
      };
      PerfReader reader = new PerfReader(Clock.systemUTC(), executor, batch);
      PerfReader.Result r = reader.collect(client, counters, maxQueryMetrics, VsphereNodes.targets(inv), sink,
          Duration.ofMinutes(5));
      long t2 = System.nanoTime();
      long cpu1 = processCpuNanos();
      long simCpu1 = cpuTicks(sim.pid());
      Map<String, Long> threads1 = threadCpuTicks();
      // A second round in the same process: what every cycle after the first costs (JIT warm,
      // connections open); the reader asks only for samples newer than the first round's.
      long i0 = System.nanoTime();
      watch.refresh(client, "bench"); // incremental: nothing changed
      long i1 = System.nanoTime();
      long wCpu0 = processCpuNanos();
      long wSim0 = cpuTicks(sim.pid());
      long w0 = System.nanoTime();
      watch.reset(client);
      Inventory inv2 = watch.refresh(client, "bench"); // a full read again, warm
      long w1 = System.nanoTime();
      PerfReader.Result r2 = reader.collect(client, counters, maxQueryMetrics, VsphereNodes.targets(inv2), sink,
          Duration.ofMinutes(5));
      long w2 = System.nanoTime();
      double warmCpuS = (processCpuNanos() - wCpu0) / 1e9;
      double warmSimCpuS = (cpuTicks(sim.pid()) - wSim0) / 100.0;
      double invS = (t1 - t0) / 1e9;
      double perfS = (t2 - t1) / 1e9;
      double simCpuS = (simCpu1 - simCpu0) / 100.0;
      System.err.printf("inventory: %d VMs, %d hosts in %.2f s; perf: %d queries, %d samples, %d failed in %.2f s%n",
          inv.vms().size(), inv.hosts().size(), invS, r.queries(), r.samples(), r.failedQueries(), perfS);
      threads0.forEach((k, v) -> threads1.merge(k, -v, Long::sum));
      System.err.println("collector CPU by thread group (s): " + threads1.entrySet().stream()
          .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .map(e -> e.getKey() + "=" + e.getValue() / 100.0).toList());
      double cpuPercent = 100.0 * (cpu1 - cpu0) / 1e9 / Math.max(invS + perfS, 1e-9);
      System.out.println(String.format(Locale.ROOT, "{\"vms\":%d,\"hosts\":%d,\"inventory_ms\":%d,\"perf_ms\":%d,"
              + "\"cycle_ms\":%d,\"server_cpu_percent\":%.0f,\"inventory_s\":%.3f,"
              + "\"perf_cycle_s\":%.3f,\"cycle_s\":%.3f,\"samples\":%d,\"samples_per_s\":%.0f,\"queries\":%d,"
              + "\"failed_queries\":%d,\"collector_cpu_s\":%.2f,\"collector_rss_mib\":%.1f,\"vcsim_cpu_s\":%.2f,"
              + "\"vcsim_rss_mib\":%.1f,\"incremental_inventory_s\":%.3f,\"warm_inventory_s\":%.3f,\"warm_perf_cycle_s\":%.3f,"
              + "\"warm_samples\":%d,\"stored_samples\":%d,\"warm_collector_cpu_s\":%.2f,\"warm_vcsim_cpu_s\":%.2f,\"load_average\":%.1f,"
              + "\"concurrency\":%d,\"batch\":%d}",
          inv.vms().size(), inv.hosts().size(), Math.round(invS * 1000), Math.round(perfS * 1000),
          Math.round((invS + perfS) * 1000), cpuPercent, invS, perfS, invS + perfS, r.samples(),
          r.samples() / Math.max(perfS, 1e-9), r.queries(), r.failedQueries(), (cpu1 - cpu0) / 1e9,
          hwmMib(ProcessHandle.current().pid()), simCpuS, hwmMib(sim.pid()), (i1 - i0) / 1e9, (w1 - w0) / 1e9, (w2 - w1) / 1e9,
          r2.samples(), stored.get(), warmCpuS, warmSimCpuS, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          concurrency, batch));
      executor.shutdownNow();
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench vsphere: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static int positive(String[] args, int i) {
    try {
      int n = Integer.parseInt(args[i]);
      if (n > 0) {
        return n;
      }
    } catch (RuntimeException e) {
      // fall through
    }
    System.err.println("bench vsphere: " + args[i - 1] + " '" + (i < args.length ? args[i] : "")
        + "' (expected: a positive integer)");
    System.exit(2);
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** utime + stime of a process in clock ticks (USER_HZ = 100 on Linux). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** CPU ticks of this process's threads, grouped by thread name without digits (JIT, GC, ...). */
  private static Map<String, Long> threadCpuTicks() throws IOException {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended while listed
        }
      }
    }
    return out;
  }

  /** Peak resident set (VmHWM) in MiB. */
  private static double hwmMib(long pid) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
    for (String l : lines) {
      if (l.startsWith("VmHWM:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return -1;
  }
}
