package syslens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
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

/**
 * {@code syslens bench report --vms N}: N VMs' vSphere series (CPU, memory, disk and network
 * throughput, CPU ready, swapped memory) over {@code --days} at {@code --interval} in an
 * in-process Tsdb (head only, raw samples), then one utilization + right-sizing report over
 * them as PDF. {@code report_ms} is computing (range queries through the PromQL engine) plus
 * writing the PDF; the queries run on {@code --threads} pool threads as in the server ({@code
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

  /** Deterministic per-VM profile: 10 % idle, 30 % oversized, 10 % undersized, the rest busy enough. */
  static double cpu(int vm, long hour) {
    double base = switch (vm % 10) {
      case 0 -> 0.02;
      case 1, 2, 3 -> 0.12;
      case 4 -> 0.88;
      default -> 0.45;
    };
    return Math.max(0, Math.min(1, base + base * 0.15 * Math.sin((hour % 24) / 24.0 * 2 * Math.PI) + ((vm * 31 + hour * 17) % 7) / 700.0));
  }

  @Override
  public Integer call() throws Exception {
    if (vms < 1 || days < 1 || days > 800 || intervalMinutes < 1) {
      throw new IllegalArgumentException("--vms " + vms + " --days " + days + " --interval-minutes " + intervalMinutes
          + " (expected: vms > 0, 1 <= days <= 800, interval > 0)");
    }
    Path dir = Files.createTempDirectory(workDir == null ? Path.of(System.getProperty("java.io.tmpdir")) : workDir,
        "syslens-bench-report-");
    long interval = intervalMinutes * 60_000L;
    long end = Math.floorDiv(System.currentTimeMillis(), 3_600_000L) * 3_600_000L;
    long start = end - days * 86_400_000L;
    long samples = 0;
    java.util.logging.Logger tsdbLog = java.util.logging.Logger.getLogger("syslens.tsdb");
    tsdbLog.setLevel(java.util.logging.Level.WARNING); // one line per cut block otherwise
    long t0 = System.nanoTime();
    // No background maintenance while measuring (--compact runs it once, before).
    try (Tsdb tsdb = Tsdb.builder(dir).maintenanceInterval(java.time.Duration.ofDays(365)).build()) {
      Labels[][] ls = new Labels[vms][METRICS.length];
      for (int v = 0; v < vms; v++) {
        for (int m = 0; m < METRICS.length; m++) {
          ls[v][m] = Labels.of("__name__", "vsphere_vm_" + METRICS[m], "node", "vm:bench:" + v, "instance", "vm-" + v,
              "vcenter", "bench", "cluster", "cluster-" + (v % 50), "vm", "vm-" + v);
        }
      }
      // Time-major, as collection writes: the head cuts each block range once.
      for (long t = start + interval / 2; t < end; t += interval) {
        long hour = (t - start) / 3_600_000L;
        Appender a = tsdb.appender();
        for (int v = 0; v < vms; v++) {
          Labels[] l = ls[v];
          double c = cpu(v, hour);
          a.append(l[0], t, c);
          a.append(l[1], t, Math.min(1, 0.6 * c + 0.05 + (v % 3) * 0.02));
          a.append(l[2], t, 1e5 * (1 + v % 13) * c);
          a.append(l[3], t, 5e4 * (1 + v % 7) * c);
          a.append(l[4], t, 2e5 * (1 + v % 11) * c);
          a.append(l[5], t, 1e5 * (1 + v % 5) * c);
          a.append(l[6], t, v % 10 == 5 ? 0.3 : 0.01);
          a.append(l[7], t, v % 20 == 6 ? 1e8 : 0);
          samples += METRICS.length;
        }
        a.commit();
      }
      long writeMs = (System.nanoTime() - t0) / 1_000_000;
      System.err.printf("wrote %,d samples of %,d VMs in %,d ms%n", samples, vms, writeMs);
      // What a server holds after a month: blocks compacted, older data in rollup tiers.
      long f0 = System.nanoTime();
      if (compact) {
        tsdb.flushHead();
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
      ReportRequest req = new ReportRequest(List.of(Kind.UTILIZATION, Kind.RIGHTSIZING), ReportScope.all(),
          Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), "en", ZoneOffset.UTC);
      Path font = Fonts.locate(null);
      var mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long c0 = mx.getCurrentThreadCpuTime();
      long r0 = System.nanoTime();
      Report report = reports.compute(req, tsdb);
      long computeMs = (System.nanoTime() - r0) / 1_000_000;
      ByteArrayOutputStream pdf = new ByteArrayOutputStream();
      int pages = PdfWriter.write(report, font, pdf);
      long reportMs = (System.nanoTime() - r0) / 1_000_000;
      long poolCpuNs = 0;
      for (Thread t : poolThreads) {
        poolCpuNs += Math.max(0, mx.getThreadCpuTime(t.threadId()));
      }
      long reportCpuMs = (mx.getCurrentThreadCpuTime() - c0 + poolCpuNs) / 1_000_000;
      pool.shutdown();
      if (keepPdf != null) {
        Files.write(keepPdf, pdf.toByteArray());
      }
      int flagged = report.sections().stream().filter(s -> s.kind() == Kind.RIGHTSIZING).mapToInt(s -> s.rows().size()).sum();
      System.err.printf("report: compute %,d ms, PDF %,d ms, %,d bytes, %d pages, %d of %d VMs flagged for right-sizing%n",
          computeMs, reportMs - computeMs, pdf.size(), pages, flagged, vms);
      ObjectNode json = PromApi.JSON.createObjectNode();
      json.put("bench", "report");
      json.put("vms", vms);
      json.put("days", days);
      json.put("samples", samples);
      json.put("write_ms", writeMs);
      json.put("flush_ms", flushMs);
      json.put("compute_ms", computeMs);
      json.put("pdf_ms", reportMs - computeMs);
      json.put("report_ms", reportMs);
      json.put("report_cpu_ms", reportCpuMs);
      json.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      json.put("pdf_bytes", pdf.size());
      json.put("pages", pages);
      json.put("report_nodes", report.nodes());
      json.put("rightsizing_rows", flagged);
      System.out.println(PromApi.JSON.writeValueAsString(json));
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }
}
