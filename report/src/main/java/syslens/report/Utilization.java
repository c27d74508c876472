package syslens.report;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Chart;
import syslens.report.Report.Column;
import syslens.report.Report.Line;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * CPU, memory, disk and network per node (average, 95th percentile and peak of the step
 * averages; the peak of vSphere's CPU and memory is the largest sample) with the busiest hour of
 * the day, and the same per group (cluster or node group).
 */
final class Utilization {
  /** Groups drawn in the chart: the busiest ones. */
  static final int CHART_GROUPS = 6;

  private Utilization() {}

  static List<Section> compute(Data data, ZoneId zone) {
    Map<String, NodeSeries> cpu = data.cpu();
    Map<String, NodeSeries> cpuPeak = data.cpuPeak();
    Map<String, NodeSeries> mem = data.memory();
    Map<String, NodeSeries> memPeak = data.memoryPeak();
    Map<String, NodeSeries> disk = data.disk();
    Map<String, NodeSeries> net = data.network();
    Map<String, String> groups = new TreeMap<>();
    for (Map<String, NodeSeries> m : List.of(cpu, mem, disk, net)) {
      m.values().forEach(s -> groups.putIfAbsent(s.entity(), s.group()));
    }
    List<Column> cols = new ArrayList<>(List.of(new Column("col.node", Unit.TEXT), new Column("col.group", Unit.TEXT)));
    for (String r : List.of("cpu", "memory")) {
      cols.add(new Column("col." + r + ".avg", Unit.RATIO));
      cols.add(new Column("col." + r + ".p95", Unit.RATIO));
      cols.add(new Column("col." + r + ".peak", Unit.RATIO));
    }
    for (String r : List.of("disk", "network")) {
      cols.add(new Column("col." + r + ".avg", Unit.BYTES_PER_SECOND));
      cols.add(new Column("col." + r + ".p95", Unit.BYTES_PER_SECOND));
      cols.add(new Column("col." + r + ".peak", Unit.BYTES_PER_SECOND));
    }
    cols.add(new Column("col.busiest_hour", Unit.HOUR));
    List<List<Object>> rows = new ArrayList<>();
    Hours hours = new Hours(zone);
    Map<String, List<double[]>> perGroup = new LinkedHashMap<>();
    for (var e : groups.entrySet()) {
      String node = e.getKey();
      List<Object> row = new ArrayList<>(List.of(node, e.getValue()));
      double[] nums = new double[12];
      int k = 0;
      for (var pair : List.of(List.of(cpu, cpuPeak), List.of(mem, memPeak), List.of(disk, Map.<String, NodeSeries>of()),
          List.of(net, Map.<String, NodeSeries>of()))) {
        NodeSeries s = pair.get(0).get(node);
        NodeSeries peak = pair.get(1).get(node);
        double[] v = s == null ? new double[0] : s.v();
        nums[k++] = Stats.mean(v);
        nums[k++] = Stats.percentile(v, 95);
        nums[k++] = peak != null ? Stats.max(peak.v()) : Stats.max(v);
      }
      for (double d : nums) {
        row.add(d);
      }
      row.add(busiestHour(cpu.get(node), data.step(), hours));
      rows.add(row);
      perGroup.computeIfAbsent(e.getValue(), g -> new ArrayList<>()).add(nums);
    }
    List<String> notes = new ArrayList<>();
    notes.add("note.step|" + Steps.promql(data.step()));
    if (rows.isEmpty()) {
      notes.add("note.no_data");
    }
    Section nodes = new Section(Kind.UTILIZATION, "section.utilization.nodes", cols, rows, chart(cpu), notes);
    return List.of(nodes, groups(perGroup, mem));
  }

  /** Per group: mean of the nodes' averages, largest 95th percentile, largest peak. */
  private static Section groups(Map<String, List<double[]>> perGroup, Map<String, NodeSeries> mem) {
    List<Column> cols = new ArrayList<>(List.of(new Column("col.group", Unit.TEXT), new Column("col.nodes", Unit.COUNT)));
    for (String r : List.of("cpu", "memory")) {
      cols.add(new Column("col." + r + ".avg", Unit.RATIO));
      cols.add(new Column("col." + r + ".p95", Unit.RATIO));
      cols.add(new Column("col." + r + ".peak", Unit.RATIO));
    }
    for (String r : List.of("disk", "network")) {
      cols.add(new Column("col." + r + ".avg", Unit.BYTES_PER_SECOND));
      cols.add(new Column("col." + r + ".p95", Unit.BYTES_PER_SECOND));
      cols.add(new Column("col." + r + ".peak", Unit.BYTES_PER_SECOND));
    }
    List<List<Object>> rows = new ArrayList<>();
    for (var e : new TreeMap<>(perGroup).entrySet()) {
      List<Object> row = new ArrayList<>(List.of(e.getKey(), (double) e.getValue().size()));
      for (int i = 0; i < 12; i++) {
        int col = i;
        double[] vs = e.getValue().stream().mapToDouble(n -> n[col]).filter(d -> !Double.isNaN(d)).toArray();
        row.add(i % 3 == 0 ? Stats.mean(vs) : Stats.max(vs));
      }
      rows.add(row);
    }
    Map<String, List<NodeSeries>> byGroup = new TreeMap<>();
    mem.values().forEach(s -> byGroup.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s));
    List<Line> lines = new ArrayList<>();
    byGroup.forEach((g, ss) -> lines.add(Data.meanLine(g, ss)));
    lines.sort(Comparator.comparingDouble((Line l) -> -Stats.mean(l.v())));
    Chart chart = new Chart("chart.memory_by_group", Unit.RATIO, lines.subList(0, Math.min(CHART_GROUPS, lines.size())));
    return new Section(Kind.UTILIZATION, "section.utilization.groups", cols, rows, lines.isEmpty() ? null : chart,
        List.of());
  }

  /** CPU of the busiest groups over the period (mean of their nodes at each step). */
  private static Chart chart(Map<String, NodeSeries> cpu) {
    Map<String, List<NodeSeries>> byGroup = new TreeMap<>();
    cpu.values().forEach(s -> byGroup.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s));
    List<Line> lines = new ArrayList<>();
    byGroup.forEach((g, ss) -> lines.add(Data.meanLine(g, ss)));
    if (lines.isEmpty()) {
      return null;
    }
    lines.sort(Comparator.comparingDouble((Line l) -> -Stats.mean(l.v())));
    return new Chart("chart.cpu_by_group", Unit.RATIO, lines.subList(0, Math.min(CHART_GROUPS, lines.size())));
  }

  /**
   * The hour of the day (in {@code zone}) whose steps have the highest mean CPU; a point at t
   * averages (t - step, t], so it belongs to the hour of t - step. NaN for steps over an hour.
   */
  static double busiestHour(NodeSeries s, long step, Hours hours) {
    if (s == null || s.v().length == 0 || step > 3_600_000) {
      return Double.NaN;
    }
    double[] sum = new double[24];
    int[] n = new int[24];
    for (int i = 0; i < s.t().length; i++) {
      int h = hours.of(s.t()[i] - step);
      sum[h] += s.v()[i];
      n[h]++;
    }
    int best = -1;
    for (int h = 0; h < 24; h++) {
      if (n[h] > 0 && (best < 0 || sum[h] / n[h] > sum[best] / n[best])) {
        best = h;
      }
    }
    return best;
  }

  /**
   * The hour of the day of a time in a zone, keeping the zone's offset until its next transition
   * (a report asks for every step of every node: no date-time objects per point).
   */
  static final class Hours {
    private final java.time.zone.ZoneRules rules;
    private long from = Long.MAX_VALUE;
    private long to = Long.MIN_VALUE;
    private long offsetMs;

    Hours(ZoneId zone) {
      this.rules = zone.getRules();
    }

    int of(long t) {
      if (t < from || t >= to) {
        Instant i = Instant.ofEpochMilli(t);
        offsetMs = rules.getOffset(i).getTotalSeconds() * 1000L;
        java.time.zone.ZoneOffsetTransition next = rules.nextTransition(i);
        from = t;
        to = next == null ? Long.MAX_VALUE : next.toEpochSecond() * 1000L;
      }
      return (int) Math.floorMod(Math.floorDiv(t + offsetMs, 3_600_000L), 24L);
    }
  }
}
