package syslens.vsphere;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code ./syslens bench vsphere --vms N}: starts vcsim with N VMs on loopback and runs the
 * collector's own code against it as the server does, cycle after cycle: the first (cold) cycle
 * logs in, reads the counter catalogue and the whole inventory, then one realtime performance
 * cycle; every later (steady) cycle brings the inventory up to date with one WaitForUpdatesEx and
 * runs one realtime performance cycle. Samples go through the ingest pipeline into an embedded
 * TSDB (WAL on, in a temp directory), as in the server. The headline {@code cycle_ms} is the
 * cold cycle (issue #8: inventory plus one full realtime cycle), {@code steady_cycle_ms} the
 * median steady one, each with its phases; the last output line is one JSON object.
 */
public final class VsphereBench {
  static final String HELP = """
      usage: syslens bench vsphere [--vms N] [--cycles N] [--pause S] [--concurrency N] [--batch N]
                                   [--in-flight N] [--vm-instances G] [--host-instances G]
             syslens bench vsphere guest --help

      Starts govmomi's vCenter simulator (vcsim) with N VMs on 127.0.0.1 (TLS) and collects it
      with the vSphere collector's own code in this JVM; samples are written through the ingest
      pipeline into an embedded TSDB (WAL on). Both processes share this machine's cores. As the
      server, the JVM maps an AOT cache (JDK 25+), recorded by a short training run when missing
      (SYSLENS_BENCH_AOT=0: none); aot_cache says whether one was used.

        --vms N          VMs, in clusters of at most 500 (default 1500)
        --cycles N       steady cycles measured after the cold one (default 5)
        --pause S        seconds between the start of one cycle and the next, as the server's
                         perfInterval (default 30; a cycle that takes longer is followed at once)
        --concurrency N  the vCenter connection's concurrency limit (default 50, as the server's)
        --batch N        entities per QueryPerf call (default 256)
        --in-flight N    QueryPerf batches of a cycle in flight at once (query, parse, store;
                         default: no bound but --concurrency, as the server's)
        --vm-instances G, --host-instances G
                         per-instance series besides the aggregates: none, all, or a list of
                         cpu, disk, net (default disk,net for both, as the server's)

      The cold cycle is what issue #8 measures ("inventory plus one full realtime cycle written to
      storage"): the first one of a fresh JVM: login, counter catalogue, a full inventory read
      (ContainerView + PropertyFilter + WaitForUpdatesEx), one realtime QueryPerf cycle over every
      powered-on VM and connected host with every series a cycle collects (per-instance ones
      included), every sample stored; it includes JIT compilation, TLS handshakes and the creation
      of every series in storage. A steady cycle is what a server collecting every 30-60 s does
      for weeks: the inventory brought up to date by one WaitForUpdatesEx (changes only), one
      realtime QueryPerf cycle asking each entity only for samples newer than the ones already
      stored, samples stored.

      Last line, one JSON object:
        cycle_ms, inventory_ms, perf_ms  the cold cycle (inventory_ms: login, counters and the
                                         full inventory read) and its parts
        samples, stored_samples          samples in the cold cycle, and how many storage took
        collector_cpu_s, vcsim_cpu_s     CPU-seconds of the cold cycle in each process
        server_cpu_percent               collector CPU / cold cycle wall time
        queries, failed_queries          QueryPerf calls of the cold cycle
        steady_cycle_ms, steady_*        the same for the median steady cycle
        cycle_ms_all                     every steady cycle, in order
        cold_phases, steady_phases       where the time went: login_ms, catalogue_ms (counter
                                         catalogue and maxQueryMetrics, read beside the
                                         inventory), inventory_read_ms, targets_ms, perf_ms;
                                         perf_query/convert/write_ms_sum summed over the batches
                                         in flight (QueryPerf round trips incl. parsing, answers
                                         to samples, storage writes); collector and vcsim CPU of
                                         the inventory part and the perf part; jit_cpu_s
        cold_cycle_ms, cold_*            the cold cycle again (the headline before 2026-12-01)
        full_inventory_ms                a full inventory re-read with a warm JVM (what the
                                         collector does every inventoryInterval, 5 min)
        load_average                     1-minute load average at the end
      """;

  private VsphereBench() {}

  /**
   * One measured cycle and where its time went: {@code loginMs} the login, {@code catalogueMs}
   * counter catalogue + maxQueryMetrics beside the inventory read (both cold cycle only), {@code readMs} the inventory read (full or incremental),
   * {@code targetsMs} building the perf targets; {@code query/convert/writeMs} are summed over the
   * QueryPerf batches running in parallel (so may exceed {@code perfMs}); CPU split between the
   * inventory part and the perf part per process; {@code jitCpuS} the compiler threads' share.
   */
  record Cycle(long inventoryMs, long perfMs, long samples, long stored, int queries, int failed,
      double collectorCpuS, double vcsimCpuS, long loginMs, long catalogueMs, long readMs, long targetsMs, long queryMs,
      long convertMs, long writeMs, double inventoryCollectorCpuS, double inventoryVcsimCpuS, double jitCpuS) {
    long cycleMs() {
      return inventoryMs + perfMs;
    }

    /** The phase breakdown as a JSON object. */
    String phasesJson() {
      return String.format(Locale.ROOT, "{\"login_ms\":%d,\"catalogue_ms\":%d,\"inventory_read_ms\":%d,\"targets_ms\":%d,"
          + "\"perf_ms\":%d,\"perf_query_ms_sum\":%d,\"perf_convert_ms_sum\":%d,\"perf_write_ms_sum\":%d,"
          + "\"queries\":%d,\"inventory_collector_cpu_s\":%.2f,\"inventory_vcsim_cpu_s\":%.2f,"
          + "\"perf_collector_cpu_s\":%.2f,\"perf_vcsim_cpu_s\":%.2f,\"jit_cpu_s\":%.2f}", loginMs, catalogueMs, readMs,
          targetsMs, perfMs, queryMs, convertMs, writeMs, queries, inventoryCollectorCpuS, inventoryVcsimCpuS,
          collectorCpuS - inventoryCollectorCpuS, vcsimCpuS - inventoryVcsimCpuS, jitCpuS);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "inventory %d ms (login %d, counters %d beside the read, read %d, targets %d), perf %d ms "
          + "(%d queries, %d samples, %d stored, %d failed; summed over batches: query %d ms, convert %d ms, "
          + "write %d ms); collector %.2f CPU-s (inventory %.2f, JIT %.2f), vcsim %.2f CPU-s (inventory %.2f)",
          inventoryMs, loginMs, catalogueMs, readMs, targetsMs, perfMs, queries, samples, stored, failed, queryMs, convertMs,
          writeMs, collectorCpuS, inventoryCollectorCpuS, jitCpuS, vcsimCpuS, inventoryVcsimCpuS);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("guest")) {
      syslens.vsphere.guest.GuestBench.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    int vms = 1500;
    int concurrency = 50;
    int batch = 256;
    int cycles = 5;
    int inFlight = 0;
    int pauseS = 30;
    syslens.vsphere.perf.PerfInstances instances = syslens.vsphere.perf.PerfInstances.defaults();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--vms" -> vms = positive(args, ++i);
        case "--concurrency" -> concurrency = positive(args, ++i);
        case "--batch" -> batch = positive(args, ++i);
        case "--in-flight" -> inFlight = positive(args, ++i);
        case "--cycles" -> cycles = positive(args, ++i);
        case "--pause" -> pauseS = positive(args, ++i);
        case "--vm-instances" -> instances = new syslens.vsphere.perf.PerfInstances(
            groups(args, ++i), instances.host());
        case "--host-instances" -> instances = new syslens.vsphere.perf.PerfInstances(instances.vm(),
            groups(args, ++i));
        case "-h", "--help" -> {
          System.out.print(HELP);
          return;
        }
        default -> {
          System.err.println("bench vsphere: unknown option '" + args[i]
              + "' (expected: --vms N, --cycles N, --pause S, --concurrency N, --batch N, --in-flight N, "
              + "--vm-instances G, --host-instances G, --help)");
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
      AtomicLong stored = new AtomicLong();
      IngestSink ingest = IngestSink.create(pipeline);
      SampleSink sink = new SampleSink() { // the server's sink, counting what storage took
        @Override
        public AppendStatus[] write(List<Sample> batch) {
          return counted(ingest.write(batch));
        }

        @Override
        public AppendStatus[] write(Object stream, List<Sample> batch) {
          return counted(ingest.write(stream, batch));
        }

        private AppendStatus[] counted(AppendStatus[] st) {
          stored.addAndGet(Arrays.stream(st).filter(x -> x == AppendStatus.OK).count());
          return st;
        }
      };
      PerfReader reader = new PerfReader(Clock.systemUTC(), executor, batch, instances).maxInFlight(inFlight);
      Collector run = new Collector(sim, client, new InventoryWatch(new InventoryReader(Clock.systemUTC(), 1000), 1000),
          reader, sink, stored, executor);
      Map<String, Long> threads0 = threadCpuTicks();
      long next = System.nanoTime();
      Cycle cold = run.cycle();
      Map<String, Long> threads1 = threadCpuTicks();
      threads0.forEach((k, v) -> threads1.merge(k, -v, Long::sum));
      System.err.printf(Locale.ROOT, "cold cycle: %d VMs, %d hosts; %s; by thread group (s): %s%n",
          run.inventory.vms().size(), run.inventory.hosts().size(), cold, byGroup(threads1));
      List<Cycle> steady = new ArrayList<>();
      for (int c = 0; c < cycles; c++) {
        next += pauseS * 1_000_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000);
        } else {
          next = System.nanoTime(); // late: the next cycle starts at once, as the server's schedule does
        }
        Map<String, Long> t0 = threadCpuTicks();
        Cycle s = run.cycle();
        Map<String, Long> t1 = threadCpuTicks();
        t0.forEach((k, v) -> t1.merge(k, -v, Long::sum));
        steady.add(s);
        System.err.printf(Locale.ROOT, "steady cycle %d: %s; by thread group (s): %s%n", c + 1, s, byGroup(t1));
      }
      long f0 = System.nanoTime();
      run.watch.reset(client);
      run.watch.refresh(client, "bench");
      long fullInventoryMs = (System.nanoTime() - f0) / 1_000_000;
      Cycle m = steady.stream().sorted(java.util.Comparator.comparingLong(Cycle::cycleMs)).toList()
          .get((steady.size() - 1) / 2);
      String aot = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(x -> x.startsWith("-XX:AOTCache=")).findFirst().map(x -> "used").orElse("none");
      System.out.println(String.format(Locale.ROOT, "{\"vms\":%d,\"hosts\":%d,\"inventory_ms\":%d,\"perf_ms\":%d,"
              + "\"cycle_ms\":%d,\"samples\":%d,\"stored_samples\":%d,\"server_cpu_percent\":%.0f,"
              + "\"collector_cpu_s\":%.2f,\"vcsim_cpu_s\":%.2f,\"queries\":%d,\"failed_queries\":%d,"
              + "\"steady_cycle_ms\":%d,\"steady_inventory_ms\":%d,\"steady_perf_ms\":%d,\"steady_samples\":%d,"
              + "\"steady_stored_samples\":%d,\"steady_server_cpu_percent\":%.0f,\"steady_collector_cpu_s\":%.2f,"
              + "\"steady_vcsim_cpu_s\":%.2f,\"steady_queries\":%d,\"steady_failed_queries\":%d,\"cycle_ms_all\":%s,"
              + "\"cold_cycle_ms\":%d,\"cold_inventory_ms\":%d,\"cold_perf_ms\":%d,\"cold_samples\":%d,"
              + "\"cold_collector_cpu_s\":%.2f,\"cold_vcsim_cpu_s\":%.2f,\"cold_phases\":%s,\"steady_phases\":%s,"
              + "\"full_inventory_ms\":%d,\"collector_rss_mib\":%.1f,\"vcsim_rss_mib\":%.1f,\"load_average\":%.1f,"
              + "\"aot_cache\":\"%s\",\"concurrency\":%d,\"batch\":%d,\"in_flight\":%d,"
              + "\"pause_s\":%d,\"cycles\":%d,\"vm_instances\":\"%s\",\"host_instances\":\"%s\"}",
          run.inventory.vms().size(), run.inventory.hosts().size(), cold.inventoryMs(), cold.perfMs(), cold.cycleMs(),
          cold.samples(), cold.stored(), percent(cold), cold.collectorCpuS(), cold.vcsimCpuS(), cold.queries(),
          cold.failed(), m.cycleMs(), m.inventoryMs(), m.perfMs(), m.samples(), m.stored(), percent(m),
          m.collectorCpuS(), m.vcsimCpuS(), m.queries(), m.failed(),
          steady.stream().map(x -> Long.toString(x.cycleMs())).toList().toString().replace(" ", ""),
          cold.cycleMs(), cold.inventoryMs(), cold.perfMs(), cold.samples(), cold.collectorCpuS(), cold.vcsimCpuS(),
          cold.phasesJson(), m.phasesJson(), fullInventoryMs, hwmMib(ProcessHandle.current().pid()),
          hwmMib(sim.pid()), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), aot, concurrency,
          batch, inFlight, pauseS, cycles, syslens.vsphere.perf.PerfInstances.format(instances.vm()),
          syslens.vsphere.perf.PerfInstances.format(instances.host())));
      executor.shutdownNow();
    }
  }

  /** The collector's per-vCenter state across cycles, as {@code VCenterCollector} keeps it. */
  private static final class Collector {
    final VcSim sim;
    final VimClient client;
    final InventoryWatch watch;
    final PerfReader reader;
    final SampleSink sink;
    final AtomicLong stored;
    volatile Map<String, PerfCounter> counters;
    volatile long maxQueryMetrics;
    Inventory inventory;
    List<syslens.vsphere.perf.PerfTarget> targets;

    final ExecutorService executor;

    Collector(VcSim sim, VimClient client, InventoryWatch watch, PerfReader reader, SampleSink sink, AtomicLong stored,
        ExecutorService executor) {
      this.executor = executor;
      this.sim = sim;
      this.client = client;
      this.watch = watch;
      this.reader = reader;
      this.sink = sink;
      this.stored = stored;
    }

    /**
     * One cycle as {@code VCenterCollector.runCycle} runs it: the first logs in and reads the
     * counters and the whole inventory, later ones only the inventory's changes; then perf into storage.
     */
    Cycle cycle() throws IOException {
      long sim0 = cpuTicks(sim.pid());
      long cpu0 = processCpuNanos();
      long jit0 = jitTicks();
      long stored0 = stored.get();
      long t0 = System.nanoTime();
      java.util.concurrent.CompletableFuture<Long> catalogue = null;
      if (counters == null) {
        client.login();
        // as VCenterCollector: the counter catalogue and maxQueryMetrics beside the inventory read
        catalogue = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          long c0 = System.nanoTime();
          Map<String, PerfCounter> c = client.perfCounters();
          maxQueryMetrics = client.numericOption(VCenterCollector.MAX_QUERY_METRICS).orElse(-1);
          counters = c;
          return (System.nanoTime() - c0) / 1_000_000;
        }, executor);
      }
      long tl = System.nanoTime();
      Inventory inv = watch.refresh(client, "bench");
      long tr = System.nanoTime();
      if (inventory == null || inv.vms() != inventory.vms() || inv.hosts() != inventory.hosts()) {
        targets = VsphereNodes.targets(inv); // as the collector: only when the inventory changed
      }
      inventory = inv;
      long tt = System.nanoTime();
      long catalogueMs = catalogue == null ? 0 : catalogue.join(); // any wait for it is in inventory_ms
      long t1 = System.nanoTime();
      long simInv = cpuTicks(sim.pid());
      long cpuInv = processCpuNanos();
      PerfReader.Result r = reader.collect(client, counters, maxQueryMetrics, targets, sink, Duration.ofMinutes(5));
      long t2 = System.nanoTime();
      return new Cycle((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, r.samples(), stored.get() - stored0,
          r.queries(), r.failedQueries(), (processCpuNanos() - cpu0) / 1e9, (cpuTicks(sim.pid()) - sim0) / 100.0,
          (tl - t0) / 1_000_000, catalogueMs, (tr - tl) / 1_000_000, (tt - tr) / 1_000_000, r.queryNanos() / 1_000_000,
          r.convertNanos() / 1_000_000, r.writeNanos() / 1_000_000, (cpuInv - cpu0) / 1e9, (simInv - sim0) / 100.0,
          (jitTicks() - jit0) / 100.0);
    }
  }

  /** Collector CPU over the cycle's wall time, in percent. */
  private static double percent(Cycle c) {
    return 100.0 * c.collectorCpuS() * 1000 / Math.max(c.cycleMs(), 1);
  }

  /** CPU ticks of the JIT compiler threads. */
  private static long jitTicks() throws IOException {
    return threadCpuTicks().entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
        .mapToLong(Map.Entry::getValue).sum();
  }

  private static List<String> byGroup(Map<String, Long> ticks) {
    return ticks.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> e.getKey() + "=" + e.getValue() / 100.0).toList();
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench vsphere: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static java.util.Set<syslens.vsphere.perf.MetricCatalog.Group> groups(String[] args, int i) {
    try {
      return syslens.vsphere.perf.PerfInstances.parse(args[i - 1], i < args.length ? args[i] : "");
    } catch (IllegalArgumentException e) {
      System.err.println("bench vsphere: " + e.getMessage());
      System.exit(2);
      return java.util.Set.of();
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
