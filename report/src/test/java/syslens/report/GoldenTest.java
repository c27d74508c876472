package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.query.Engine;
import syslens.report.Allocations.Allocation;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;
import syslens.tsdb.Tsdb;

/**
 * Every number of the CSV and XLSX against a figure this test computes from the raw synthetic
 * samples itself (means, nearest-rank percentiles over 5-minute window means, maxima, a
 * least-squares line), never through the report code.
 */
class GoldenTest {
  @TempDir
  static Path tmp;
  static Tsdb tsdb;
  static final Synthetic DATA = new Synthetic();
  static final Map<String, Allocation> ALLOC = Map.of("vm-a", new Allocation(4, 8L << 30),
      "vm-b", new Allocation(2, 4L << 30), "vm-c", new Allocation(2, 16L << 30));
  static final double GIB = 1L << 30;

  @BeforeAll
  static void open() {
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).build();
    DATA.write(tsdb);
  }

  @AfterAll
  static void close() {
    tsdb.close();
  }

  static final long T0 = Synthetic.START.toEpochMilli();

  static syslens.storage.Labels alert(String name, String node, String cluster) {
    return syslens.storage.Labels.of("alertname", name, "node", node, "cluster", cluster);
  }

  /** HighCPU fires twice on vm-b (resolved after 600 s, then still firing), Down once on vm-a (900 s), Hot on vm-c. */
  static final List<AlertHistory.Change> ALERTS = List.of(
      new AlertHistory.Change(T0 + 3_600_000, "HighCPU", "critical", "pending", "firing", alert("HighCPU", "vm-b", "c1")),
      new AlertHistory.Change(T0 + 4_200_000, "HighCPU", "critical", "firing", "inactive", alert("HighCPU", "vm-b", "c1")),
      new AlertHistory.Change(T0 + 30_000_000, "Down", "warning", "pending", "firing", alert("Down", "vm-a", "c1")),
      new AlertHistory.Change(T0 + 30_900_000, "Down", "warning", "firing", "inactive", alert("Down", "vm-a", "c1")),
      new AlertHistory.Change(T0 + 40_000_000, "HighCPU", "critical", "pending", "firing", alert("HighCPU", "vm-b", "c1")),
      new AlertHistory.Change(T0 + 50_000_000, "Hot", "info", "pending", "firing", alert("Hot", "vm-c", "c2")));

  /**
   * Acknowledgements: HighCPU's first firing after 120 s (and again later, which does not count),
   * its second after 300 s; Down only after it resolved (does not count); one of an unknown alert.
   */
  static final List<AlertHistory.Ack> ACKS = List.of(
      new AlertHistory.Ack(T0 + 3_720_000, alert("HighCPU", "vm-b", "c1").toString()),
      new AlertHistory.Ack(T0 + 3_900_000, alert("HighCPU", "vm-b", "c1").toString()),
      new AlertHistory.Ack(T0 + 31_000_000, alert("Down", "vm-a", "c1").toString()),
      new AlertHistory.Ack(T0 + 35_000_000, "no-such-alert"),
      new AlertHistory.Ack(T0 + 40_300_000, alert("HighCPU", "vm-b", "c1").toString()));

  static final AlertHistory HISTORY = new AlertHistory() {
    @Override
    public List<Change> changes(long s, long e, int limit) {
      return ALERTS.stream().filter(c -> c.atMs() >= s && c.atMs() <= e).toList();
    }

    @Override
    public List<Ack> acks(long s, long e, int limit) {
      return ACKS.stream().filter(a -> a.atMs() >= s && a.atMs() <= e).toList();
    }
  };

  static Reports reports() {
    return Reports.builder(q -> Engine.builder(q).build()).installation("Golden lab")
        .allocations(n -> Optional.ofNullable(ALLOC.get(n))).alertHistory(HISTORY).build();
  }

  /**
   * Mean time to acknowledge and to resolve of {@code rule} in seconds ("" when none), from the
   * lists above: each firing runs to its next change (or the end of the period); it counts as
   * acknowledged by the earliest acknowledgement of the same labels inside that run.
   */
  static String[] expectedMeans(String rule) {
    double ackSum = 0;
    int acked = 0;
    double resolveSum = 0;
    int resolved = 0;
    for (int i = 0; i < ALERTS.size(); i++) {
      AlertHistory.Change c = ALERTS.get(i);
      if (!c.rule().equals(rule) || !c.to().equals("firing")) {
        continue;
      }
      long until = Synthetic.END.toEpochMilli() + 1;
      for (AlertHistory.Change later : ALERTS.subList(i + 1, ALERTS.size())) {
        if (later.labels().equals(c.labels())) {
          until = later.atMs();
          resolveSum += until - c.atMs();
          resolved++;
          break;
        }
      }
      long first = Long.MAX_VALUE;
      for (AlertHistory.Ack a : ACKS) {
        if (a.fingerprint().equals(c.labels().toString()) && a.atMs() >= c.atMs() && a.atMs() < until) {
          first = Math.min(first, a.atMs());
        }
      }
      if (first != Long.MAX_VALUE) {
        ackSum += first - c.atMs();
        acked++;
      }
    }
    return new String[] {acked == 0 ? "" : fmt(ackSum / acked / 1000), resolved == 0 ? "" : fmt(resolveSum / resolved / 1000)};
  }

  private static String fmt(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }

  static ReportRequest request(ReportScope scope, String language) {
    return new ReportRequest(List.of(Kind.values()), scope, Synthetic.START, Synthetic.END, language, ZoneOffset.UTC);
  }

  static double p95(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.ceil(0.95 * s.length) - 1];
  }

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElseThrow();
  }

  static double max(double[] v) {
    return Arrays.stream(v).max().orElseThrow();
  }

  /** Expected utilization row: cpu, memory (avg, p95, peak), disk, network (avg, p95, peak). */
  static double[] expectedUtilization(String node) {
    double[] cpu = DATA.values(node, "vsphere_vm_cpu_usage_ratio");
    double[] mem = DATA.values(node, "vsphere_vm_memory_usage_ratio");
    double[] disk = DATA.values(node, "vsphere_vm_disk_read_bytes_per_second", "vsphere_vm_disk_write_bytes_per_second");
    double[] net = DATA.values(node, "vsphere_vm_net_received_bytes_per_second",
        "vsphere_vm_net_transmitted_bytes_per_second");
    double[] out = new double[12];
    int k = 0;
    for (double[] v : List.of(cpu, mem, disk, net)) {
      out[k++] = mean(v);
      out[k++] = p95(Synthetic.windowMeans(v));
      out[k++] = max(v);
    }
    return out;
  }

  /** CSV blocks by section title: rows of cells (header first). */
  static Map<String, List<String[]>> csv(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).substring(1);
    Map<String, List<String[]>> out = new LinkedHashMap<>();
    String[] blocks = text.split("\r\n\r\n");
    for (int b = 1; b < blocks.length; b++) {
      List<String> lines = List.of(blocks[b].split("\r\n"));
      if (lines.isEmpty() || lines.get(0).isEmpty()) {
        continue;
      }
      out.put(lines.get(0), lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList());
    }
    return out;
  }

  static double num(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }

  @Test
  void csv_everyNumberMatchesTheRawSamples() throws IOException {
    Report r = reports().compute(request(ReportScope.all(), "en"), tsdb);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CsvWriter.write(r, out);
    Map<String, List<String[]>> csv = csv(out.toByteArray());
    assertThat(csv.keySet()).containsExactly("Utilization per node", "Utilization per group", "Right-sizing",
        "Availability", "Downtime incidents", "Capacity and growth", "Alert summary");

    List<String[]> alerts = csv.get("Alert summary");
    assertThat(alerts).hasSize(4);
    assertThat(alerts.get(0)).containsSequence("Mean time to acknowledge (s)", "Mean time to resolve (s)");
    String[] high = expectedMeans("HighCPU");
    assertThat(high).containsExactly("210", "600"); // the fixture does what its comment says
    assertThat(alerts.get(1)).containsExactly("HighCPU", "critical", "2", "1", high[0], high[1], "1");
    String[] down = expectedMeans("Down");
    assertThat(alerts.get(2)).containsExactly("Down", "warning", "1", "1", down[0], down[1], "0");
    String[] hot = expectedMeans("Hot");
    assertThat(alerts.get(3)).containsExactly("Hot", "info", "1", "1", hot[0], hot[1], "1");

    List<String[]> util = csv.get("Utilization per node");
    assertThat(util.get(0)[2]).isEqualTo("CPU avg (0-1)");
    assertThat(util).hasSize(4);
    for (String[] row : util.subList(1, 4)) {
      double[] exp = expectedUtilization(row[0]);
      for (int i = 0; i < 12; i++) {
        assertThat(num(row[2 + i])).as("%s column %s", row[0], util.get(0)[2 + i])
            .isCloseTo(exp[i], within(1e-9 * Math.max(1, Math.abs(exp[i]))));
      }
    }
    assertThat(util.get(1)[1]).isEqualTo("c1");

    // Per group: c1 = vm-a + vm-b: mean of averages, max of p95 and peaks.
    String[] c1 = csv.get("Utilization per group").get(1);
    double[] a = expectedUtilization("vm-a");
    double[] b = expectedUtilization("vm-b");
    assertThat(c1[0]).isEqualTo("c1");
    assertThat(num(c1[1])).isEqualTo(2);
    for (int i = 0; i < 12; i++) {
      double exp = i % 3 == 0 ? (a[i] + b[i]) / 2 : Math.max(a[i], b[i]);
      assertThat(num(c1[2 + i])).isCloseTo(exp, within(1e-9 * Math.max(1, Math.abs(exp))));
    }

    Map<String, String[]> rs = byNode(csv.get("Right-sizing"));
    double pcA = p95(Synthetic.windowMeans(DATA.values("vm-a", "vsphere_vm_cpu_usage_ratio")));
    assertThat(rs.get("vm-a")[2]).isEqualTo("Oversized");
    assertThat(num(rs.get("vm-a")[4])).isCloseTo(pcA, within(1e-9));
    assertThat(num(rs.get("vm-a")[10])).isEqualTo(Math.max(1, Math.ceil(4 * pcA / 0.7)));
    assertThat(num(rs.get("vm-a")[11])).isEqualTo(Math.ceil(8 * 0.2 / 0.8) * GIB);
    assertThat(rs.get("vm-b")[2]).isEqualTo("Undersized");
    assertThat(rs.get("vm-b")[3]).isEqualTo("CPU saturated");
    assertThat(rs.get("vm-c")[3]).isEqualTo("Waits for CPU (CPU ready)");
    assertThat(num(rs.get("vm-c")[6])).isCloseTo(0.2, within(1e-9));

    Map<String, String[]> av = byNode(csv.get("Availability"));
    double[] upA = DATA.values("vm-a", "up");
    assertThat(num(av.get("vm-a")[2])).isCloseTo(mean(upA), within(1e-12));
    assertThat(num(av.get("vm-a")[3])).isEqualTo(1);
    assertThat(num(av.get("vm-a")[4])).isCloseTo(Arrays.stream(upA).filter(v -> v == 0).count() * 60.0, within(1e-6));
    assertThat(num(av.get("vm-b")[2])).isEqualTo(1);
    String[] incident = csv.get("Downtime incidents").get(1);
    assertThat(incident[2]).isEqualTo("2026-11-01T08:20:00Z");
    assertThat(incident[3]).isEqualTo("2026-11-01T08:35:00Z");

    // Capacity: vm-c's memory grows 0.001 per window; least squares over the window means.
    String[] cap = csv.get("Capacity and growth").get(1);
    assertThat(cap[0]).isEqualTo("vm-c");
    double[] memC = Synthetic.windowMeans(DATA.values("vm-c", "vsphere_vm_memory_usage_ratio"));
    double[] fit = leastSquares(memC);
    double end = Synthetic.END.toEpochMilli();
    assertThat(num(cap[3])).isCloseTo(memC[memC.length - 1], within(1e-12));
    assertThat(num(cap[4])).isCloseTo(fit[1] * 86_400_000, within(1e-9));
    assertThat(num(cap[5])).isCloseTo((1 - (fit[0] + fit[1] * end)) / fit[1] / 86_400_000, within(1e-6));
  }

  /** Least squares v = a + b t over window means at the windows' ends. */
  static double[] leastSquares(double[] v) {
    int n = v.length;
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = Synthetic.START.toEpochMilli() + (i + 1) * Synthetic.WINDOW_MS;
    }
    double mt = mean(t);
    double mv = mean(v);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += (t[i] - mt) * (v[i] - mv);
      den += (t[i] - mt) * (t[i] - mt);
    }
    double b = num / den;
    return new double[] {mv - b * mt, b};
  }

  static Map<String, String[]> byNode(List<String[]> rows) {
    Map<String, String[]> out = new LinkedHashMap<>();
    rows.subList(1, rows.size()).forEach(r -> out.put(r[0], r));
    return out;
  }

  @Test
  void xlsx_numbersMatchTheRawSamplesInEveryLanguage() throws IOException {
    for (String lang : List.of("en", "zh-CN", "ja-JP")) {
      Report r = reports().compute(request(ReportScope.all(), lang), tsdb);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      XlsxWriter.write(r, out);
      try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
        List<Sheet> sheets = wb.getSheets().toList();
        assertThat(sheets).hasSize(8);
        Sheet util = sheets.get(1);
        assertThat(util.getName()).isEqualTo(switch (lang) {
          case "zh-CN" -> "节点利用率";
          case "ja-JP" -> "ノード別の使用率";
          default -> "Utilization per node";
        });
        List<Row> rows = util.read();
        assertThat(rows).hasSize(4);
        for (Row row : rows.subList(1, 4)) {
          double[] exp = expectedUtilization(row.getCellText(0));
          for (int i = 0; i < 12; i++) {
            assertThat(row.getCellAsNumber(2 + i).orElseThrow().doubleValue())
                .isCloseTo(exp[i], within(1e-9 * Math.max(1, Math.abs(exp[i]))));
          }
        }
        Row avA = sheets.get(4).read().get(1);
        assertThat(avA.getCellText(0)).isEqualTo("vm-a");
        assertThat(avA.getCellAsNumber(2).orElseThrow().doubleValue())
            .isCloseTo(mean(DATA.values("vm-a", "up")), within(1e-12));
      }
    }
  }

  @Test
  void compute_clusterScopeKeepsItsNodesOnly() {
    Report r = reports().compute(request(ReportScope.parse("cluster", "c1"), "en"), tsdb);
    assertThat(r.sections().get(0).rows()).extracting(row -> row.get(0)).containsExactly("vm-a", "vm-b");
    assertThat(r.sections().get(r.sections().size() - 1).rows()).extracting(row -> row.get(0))
        .containsExactly("HighCPU", "Down");
  }

  @Test
  void compute_requesterScopeLimitsAnUnscopedReport() {
    var visible = ScopedQueryable.of(tsdb, List.of(List.of(Matcher.equal("cluster", "c2"))));
    Report r = reports().compute(request(ReportScope.all(), "en"), visible);
    assertThat(r.sections().get(0).rows()).extracting(row -> row.get(0)).containsExactly("vm-c");
    assertThat(r.nodes()).isEqualTo(1);
    assertThat(r.sections().get(r.sections().size() - 1).rows()).extracting(row -> row.get(0)).containsExactly("Hot");
  }

  @Test
  void compute_periodWithoutDataSaysSo() throws IOException {
    ReportRequest req = new ReportRequest(List.of(Kind.UTILIZATION), ReportScope.all(),
        Synthetic.START.minusSeconds(30 * 86_400), Synthetic.START.minusSeconds(20 * 86_400), "en", ZoneOffset.UTC);
    Report r = reports().compute(req, tsdb);
    assertThat(r.empty()).isTrue();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CsvWriter.write(r, out);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("No data in this scope over this period.");
  }
}
