package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.query.Engine;
import syslens.report.Allocations.Allocation;
import syslens.report.Fonts;
import syslens.report.Kind;
import syslens.report.PdfWriter;
import syslens.report.Report;
import syslens.report.ReportRequest;
import syslens.report.ReportScope;
import syslens.report.Reports;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;
import syslens.tsdb.retention.Retention;

/**
 * {@code syslens bench report --vms N}: N VMs' vSphere series (CPU, memory, disk and network
 * throughput, CPU ready, swapped memory) over {@code --days} at {@code --interval-minutes} in an
 * in-process Tsdb, then one utilization + right-sizing report over them as PDF. The data is raw
 * samples in the head by default, flushed into blocks and tiers with {@code --compact}, or written
 * straight as the tier blocks a server holds at the end of the period with {@code --tiers} ({@link
 * TieredHistory}; the way to prepare two years). {@code --compare-days 7} also reports over the
 * last week of the same data, {@code --repeat} times each, and prints both medians and their
 * ratio. {@code report_ms} is computing (range queries through the PromQL engine) plus writing
 * the PDF; the queries run on {@code --threads} pool threads as in the server ({@code
 * report_cpu_ms} is the CPU time of the report's thread and the pool's, which a busy shared
 * machine inflates less than the wall time); data generation is not counted.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Report benchmark: a monthly utilization + right-sizing PDF over N VMs of synthetic data. "
        + "Last stdout line: one JSON object.")
final class ReportBench implements Callable<Integer> {
  static final String[] METRICS = {"cpu_usage_ratio", "memory_usage_ratio", "disk_read_bytes_per_second",
      "disk_write_bytes_per_second", "net_received_bytes_per_second", "net_transmitted_bytes_per_second",
      "cpu_ready_ratio", "memory_swapped_bytes"};

  @Option(names = "--vms", paramLabel = "N", defaultValue = "5000", description = "VMs. Default: ${DEFAULT-VALUE}.")
  int vms;

  @Option(names = "--days", paramLabel = "D", defaultValue = "30", description = "Period in days. Default: ${DEFAULT-VALUE}.")
  int days;

  @Option(names = "--interval-minutes", paramLabel = "M", defaultValue = "60",
      description = "Sample interval of the synthetic data in minutes. Default: ${DEFAULT-VALUE}.")
  int intervalMinutes;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the temporary Tsdb goes (default: the system temp dir).")
  Path workDir;

  @Option(names = "--compact", description = "Flush the head and compact before the report, so it reads the "
      + "5-minute and 1-hour rollup tiers as a month-old server would (slow to prepare: minutes for 5,000 VMs).")
  boolean compact;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "Threads a report's queries run on (the server uses 2). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--keep-pdf", paramLabel = "FILE", description = "Also write the PDF to FILE.")
  Path keepPdf;

  @Option(names = "--tiers", description = "Write the history as the blocks a server holds at its end (raw 24-hour "
      + "blocks for the last 7 days, 5-minute rollups for 30 days, 1-hour rollups for the whole period, each tier made by "
      + "the engine's downsampler from the raw samples), straight into blocks rather than through the head: fast enough "
      + "for --days 730. One maintenance round follows, as on a server: rollup days merged into 7-day (5-minute) and "
      + "30-day (1-hour) blocks.")
  boolean tiers;

  @Option(names = "--compare-days", paramLabel = "D", defaultValue = "0",
      description = "Also report over the last D days of the same data (e.g. 7 against --days 730) and print both "
          + "durations and their ratio. Default: off.")
  int compareDays;

  @Option(names = "--repeat", paramLabel = "R", defaultValue = "1",
      description = "Reports per period, alternating periods with --compare-days; figures are medians. Default: ${DEFAULT-VALUE}.")
  int repeat;

  static final double[] DAY_WAVE = new double[24];

  static {
    for (int h = 0; h < 24; h++) {
      DAY_WAVE[h] = Math.sin(h / 24.0 * 2 * Math.PI);
    }
  }

  /**
   * Deterministic per-VM profile: 10 % idle, 30 % oversized, 10 % undersized, the rest busy
   * enough; a daily wave by {@code hour} of the period and a small wobble by sample {@code k}
   * (the same as the hour at the default 60-minute interval).
   */
  static double cpu(int vm, long hour, long k) {
    double base = switch (vm % 10) {
      case 0 -> 0.02;
      case 1, 2, 3 -> 0.12;
      case 4 -> 0.88;
      default -> 0.45;
    };
    return Math.max(0, Math.min(1, base + base * 0.15 * DAY_WAVE[(int) (hour % 24)] + ((vm * 31 + k * 17) % 7) / 700.0));
  }

  /** Metric {@code m} (of {@link #METRICS}) of VM {@code v} at sample {@code k} in hour {@code hour} of the period. */
  static double value(int v, int m, long hour, long k) {
    double c = cpu(v, hour, k);
    return switch (m) {
      case 0 -> c;
      case 1 -> Math.min(1, 0.6 * c + 0.05 + (v % 3) * 0.02);
      case 2 -> 1e5 * (1 + v % 13) * c;
      case 3 -> 5e4 * (1 + v % 7) * c;
      case 4 -> 2e5 * (1 + v % 11) * c;
      case 5 -> 1e5 * (1 + v % 5) * c;
      case 6 -> v % 10 == 5 ? 0.3 : 0.01;
      case 7 -> v % 20 == 6 ? 1e8 : 0;
      default -> throw new IllegalArgumentException("metric: " + m + " (expected: 0.." + (METRICS.length - 1) + ")");
    };
  }

  @Override
  public Integer call() throws Exception {
    if (vms < 1 || days < 1 || days > 800 || intervalMinutes < 1 || compareDays < 0 || compareDays > days || repeat < 1
        || (tiers && compact)) {
      throw new IllegalArgumentException("--vms " + vms + " --days " + days + " --interval-minutes " + intervalMinutes
          + " --compare-days " + compareDays + " --repeat " + repeat + (tiers && compact ? " --tiers --compact" : "")
          + " (expected: vms > 0, 1 <= days <= 800, interval > 0, 0 <= compare-days <= days, repeat > 0,"
          + " not both --tiers and --compact)");
    }
    Path dir = Files.createTempDirectory(workDir == null ? Path.of(System.getProperty("java.io.tmpdir")) : workDir,
        "syslens-bench-report-");
    long interval = intervalMinutes * 60_000L;
    long end = Math.floorDiv(System.currentTimeMillis(), 3_600_000L) * 3_600_000L;
    long start = end - days * 86_400_000L;
    java.util.logging.Logger tsdbLog = java.util.logging.Logger.getLogger("syslens.tsdb");
    tsdbLog.setLevel(java.util.logging.Level.WARNING); // one line per cut block otherwise
    Labels[][] ls = new Labels[vms][METRICS.length];
    for (int v = 0; v < vms; v++) {
      for (int m = 0; m < METRICS.length; m++) {
        ls[v][m] = Labels.of("__name__", "vsphere_vm_" + METRICS[m], "node", "vm:bench:" + v, "instance", "vm-" + v,
            "vcenter", "bench", "cluster", "cluster-" + (v % 50), "vm", "vm-" + v);
      }
    }
    long t0 = System.nanoTime();
    long samples = tiers ? writeTiers(dir, ls, start, end, interval) : 0;
    // No background maintenance while measuring (--compact runs it once, before).
    try (Tsdb tsdb = Tsdb.builder(dir).maintenanceInterval(java.time.Duration.ofDays(365)).build()) {
      if (!tiers) {
        samples = writeHead(tsdb, ls, start, end, interval);
      }
      long writeMs = (System.nanoTime() - t0) / 1_000_000;
      System.err.printf("wrote %,d samples of %,d VMs in %,d ms%n", samples, vms, writeMs);
      // What a server holds after a month: blocks compacted, older data in rollup tiers.
      long f0 = System.nanoTime();
      if (compact) {
        tsdb.flushHead();
      } else if (tiers) {
        tsdb.maintain(); // what the server's maintenance does next: merge rollup days into 7/30-day blocks
      }
      long flushMs = (System.nanoTime() - f0) / 1_000_000;
      System.err.printf("flushed and compacted in %,d ms: %s%n", flushMs, tsdb.blockStats());
      // As the server runs reports: figures side by side on a pool of its own (ReportsWiring.QUERY_THREADS).
      List<Thread> poolThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "bench-report-query");
        t.setDaemon(true);
        poolThreads.add(t);
        return t;
      });
      Reports reports = Reports.builder(q -> Engine.builder(q).build()).installation("bench").executor(pool)
          .allocations(n -> Optional.of(new Allocation(2 + 2 * (n.hashCode() & 3), (4L << 30) * (1 + (n.hashCode() & 7)))))
          .build();
      List<Run> main = new ArrayList<>();
      List<Run> other = new ArrayList<>();
      for (int r = 0; r < repeat; r++) {
        if (compareDays > 0) {
          other.add(run(reports, tsdb, poolThreads, end - compareDays * 86_400_000L, end));
        }
        main.add(run(reports, tsdb, poolThreads, start, end));
      }
      pool.shutdown();
      Run m = median(main);
      if (keepPdf != null) {
        Files.write(keepPdf, m.pdf());
      }
      ObjectNode json = PromApi.JSON.createObjectNode();
      json.put("bench", "report");
      json.put("vms", vms);
      json.put("days", days);
      json.put("interval_minutes", intervalMinutes);
      json.put("data", tiers ? "tiers" : compact ? "compacted" : "head");
      json.put("samples", samples);
      json.put("write_ms", writeMs);
      json.put("flush_ms", flushMs);
      json.put("compute_ms", m.computeMs());
      json.put("pdf_ms", m.reportMs() - m.computeMs());
      json.put("report_ms", m.reportMs());
      json.put("report_cpu_ms", m.cpuMs());
      if (compareDays > 0) {
        Run c = median(other);
        json.put("compare_days", compareDays);
        json.put("compare_compute_ms", c.computeMs());
        json.put("compare_report_ms", c.reportMs());
        json.put("compare_report_cpu_ms", c.cpuMs());
        json.put("ratio", Math.round(100.0 * m.reportMs() / c.reportMs()) / 100.0);
        json.put("cpu_ratio", Math.round(100.0 * m.cpuMs() / c.cpuMs()) / 100.0);
        json.put("compare_report_ms_runs", other.stream().map(x -> Long.toString(x.reportMs())).collect(Collectors.joining(",")));
      }
      json.put("report_ms_runs", main.stream().map(x -> Long.toString(x.reportMs())).collect(Collectors.joining(",")));
      json.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      json.put("pdf_bytes", m.pdf().length);
      json.put("pages", m.pages());
      json.put("report_nodes", m.nodes());
      json.put("rightsizing_rows", m.flagged());
      System.out.println(PromApi.JSON.writeValueAsString(json));
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  /** Time-major, as collection writes: the head cuts each block range once. Returns the samples written. */
  private long writeHead(Tsdb tsdb, Labels[][] ls, long start, long end, long interval) {
    long samples = 0;
    long k = 0;
    for (long t = start + interval / 2; t < end; t += interval, k++) {
      long hour = (t - start) / 3_600_000L;
      Appender a = tsdb.appender();
      for (int v = 0; v < vms; v++) {
        for (int m = 0; m < METRICS.length; m++) {
          a.append(ls[v][m], t, value(v, m, hour, k));
        }
        samples += METRICS.length;
      }
      a.commit();
    }
    return samples;
  }

  /** The same samples as {@link #writeHead}, written as tier blocks by {@link TieredHistory}. */
  private long writeTiers(Path dir, Labels[][] ls, long start, long end, long interval) throws Exception {
    List<Labels> flat = new ArrayList<>();
    for (Labels[] l : ls) {
      flat.addAll(List.of(l));
    }
    int m = METRICS.length;
    java.util.concurrent.atomic.LongAdder samples = new java.util.concurrent.atomic.LongAdder();
    TieredHistory.Result r = TieredHistory.write(dir.resolve("blocks"), flat, (i, from, to, ts, vs) -> {
      long first = start + interval / 2;
      long k = from <= first ? 0 : Math.floorDiv(from - first + interval - 1, interval);
      int n = 0;
      for (long t = first + k * interval; t < to; t += interval, k++) {
        ts[n] = t;
        vs[n++] = value(i / m, i % m, (t - start) / 3_600_000L, k);
      }
      samples.add(n);
      return n;
    }, start, end, (int) (TieredHistory.DAY / interval) + 1, Retention.Settings.defaults(), threads);
    System.err.printf("history as tiers: %d raw, %d 5-minute and %d 1-hour blocks%n", r.raw(), r.fiveMinutes(), r.oneHour());
    return samples.sum();
  }

  /** One report run: its figures and PDF. */
  record Run(long computeMs, long reportMs, long cpuMs, byte[] pdf, int pages, int nodes, int flagged) {}

  private static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingLong(Run::reportMs));
    return sorted.get(sorted.size() / 2);
  }

  private Run run(Reports reports, Tsdb tsdb, List<Thread> poolThreads, long from, long to) throws Exception {
    ReportRequest req = new ReportRequest(List.of(Kind.UTILIZATION, Kind.RIGHTSIZING), ReportScope.all(),
        Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), "en", ZoneOffset.UTC);
    Path font = Fonts.locate(null);
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long poolCpu0 = poolCpuNs(mx, poolThreads);
    long c0 = mx.getCurrentThreadCpuTime();
    long r0 = System.nanoTime();
    Report report = reports.compute(req, tsdb);
    long computeMs = (System.nanoTime() - r0) / 1_000_000;
    ByteArrayOutputStream pdf = new ByteArrayOutputStream();
    int pages = PdfWriter.write(report, font, pdf);
    long reportMs = (System.nanoTime() - r0) / 1_000_000;
    long cpuMs = (mx.getCurrentThreadCpuTime() - c0 + poolCpuNs(mx, poolThreads) - poolCpu0) / 1_000_000;
    int flagged = report.sections().stream().filter(s -> s.kind() == Kind.RIGHTSIZING).mapToInt(s -> s.rows().size()).sum();
    System.err.printf("report over %d days (step %s): compute %,d ms, PDF %,d ms, %,d bytes, %d pages, %d of %d VMs"
        + " flagged for right-sizing%n", (to - from) / 86_400_000L, java.time.Duration.ofMillis(report.stepMs()),
        computeMs, reportMs - computeMs, pdf.size(), pages, flagged, vms);
    return new Run(computeMs, reportMs, cpuMs, pdf.toByteArray(), pages, report.nodes(), flagged);
  }

  private static long poolCpuNs(java.lang.management.ThreadMXBean mx, List<Thread> threads) {
    long ns = 0;
    for (Thread t : threads) {
      ns += Math.max(0, mx.getThreadCpuTime(t.threadId()));
    }
    return ns;
  }
}
