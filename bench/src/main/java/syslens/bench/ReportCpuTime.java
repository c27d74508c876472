package syslens.bench;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import syslens.query.Engine;
import syslens.report.Allocations;
import syslens.report.Fonts;
import syslens.report.Kind;
import syslens.report.PdfWriter;
import syslens.report.ReportRequest;
import syslens.report.ReportScope;
import syslens.report.Reports;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;
import syslens.tsdb.retention.Retention;

/**
 * {@code ./syslens bench report --days 730 --tiers --compare-days 7}'s two reports (utilization +
 * right-sizing, PDF included) timed in CPU time of one thread, alternating the week and the two
 * years over the same data: the report and storage read path without a loaded machine's
 * scheduler, for development. {@code prepare DIR VMS} writes {@link ReportBench}'s 1-minute
 * samples of two years as {@link TieredHistory} tiers into DIR and runs one maintenance round
 * (minutes); {@code run DIR ROUNDS} reports ROUNDS times each (the first two are warm-up) and
 * prints the mean CPU ms of each period and their ratio. Prepared data can be read by several
 * builds in turn.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar syslens.bench.ReportCpuTime prepare
 * /dev/shm/report-cpu 100}, then {@code ... ReportCpuTime run /dev/shm/report-cpu 6}.
 */
public final class ReportCpuTime {
  static final long DAY = 86_400_000L;

  private ReportCpuTime() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !List.of("prepare", "run").contains(args[0])) {
      throw new IllegalArgumentException("arguments: " + String.join(" ", args)
          + " (expected: prepare DIR VMS, or run DIR ROUNDS)");
    }
    Path dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    if (args[0].equals("prepare") ? n < 1 : n < 3) {
      throw new IllegalArgumentException(args[0] + ": " + n + " (expected: VMS >= 1, ROUNDS >= 3)");
    }
    if (args[0].equals("prepare")) {
      prepare(dir, n);
    } else {
      run(dir, n);
    }
  }

  private static void prepare(Path dir, int vms) throws Exception {
    long end = Math.floorDiv(System.currentTimeMillis(), 3_600_000L) * 3_600_000L;
    long start = end - 730 * DAY;
    List<Labels> flat = new ArrayList<>();
    for (int v = 0; v < vms; v++) {
      for (String m : ReportBench.METRICS) {
        flat.add(Labels.of("__name__", "vsphere_vm_" + m, "node", "vm:bench:" + v, "instance", "vm-" + v,
            "vcenter", "bench", "cluster", "cluster-" + (v % 50), "vm", "vm-" + v));
      }
    }
    int metrics = ReportBench.METRICS.length;
    long interval = 60_000;
    TieredHistory.write(dir.resolve("blocks"), flat, (i, from, to, ts, vs) -> {
      long first = start + interval / 2;
      long k = from <= first ? 0 : Math.floorDiv(from - first + interval - 1, interval);
      int got = 0;
      for (long t = first + k * interval; t < to; t += interval, k++) {
        ts[got] = t;
        vs[got++] = ReportBench.value(i / metrics, i % metrics, (t - start) / 3_600_000L, k);
      }
      return got;
    }, start, end, (int) (TieredHistory.DAY / interval) + 1, Retention.Settings.defaults(), 2);
    try (Tsdb tsdb = Tsdb.builder(dir).maintenanceInterval(Duration.ofDays(365)).build()) {
      tsdb.maintain();
      System.out.println(tsdb.blockStats());
    }
    Files.writeString(dir.resolve("end"), Long.toString(end));
  }

  private static void run(Path dir, int rounds) throws Exception {
    long end = Long.parseLong(Files.readString(dir.resolve("end")).trim());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (Tsdb tsdb = Tsdb.builder(dir).maintenanceInterval(Duration.ofDays(365)).build()) {
      Reports reports = Reports.builder(q -> Engine.builder(q).build()).installation("bench")
          .allocations(node -> Optional.of(new Allocations.Allocation(2 + 2 * (node.hashCode() & 3),
              (4L << 30) * (1 + (node.hashCode() & 7)))))
          .build();
      long[] cpu = new long[2];
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
          long from = end - (k == 0 ? 7 : 730) * DAY;
          ReportRequest req = new ReportRequest(List.of(Kind.UTILIZATION, Kind.RIGHTSIZING), ReportScope.all(),
              Instant.ofEpochMilli(from), Instant.ofEpochMilli(end), "en", ZoneOffset.UTC);
          long c0 = mx.getCurrentThreadCpuTime();
          PdfWriter.write(reports.compute(req, tsdb), Fonts.locate(null), new ByteArrayOutputStream());
          long c = mx.getCurrentThreadCpuTime() - c0;
          if (r >= 2) {
            cpu[k] += c;
          }
          System.out.printf("round %d %s: %,d CPU ms%n", r, k == 0 ? "week" : "2 years", c / 1_000_000);
        }
      }
      System.out.printf("week %,d CPU ms, 2 years %,d CPU ms (means of %d), ratio %.2f%n",
          cpu[0] / 1_000_000 / (rounds - 2), cpu[1] / 1_000_000 / (rounds - 2), rounds - 2, (double) cpu[1] / cpu[0]);
    }
  }
}
