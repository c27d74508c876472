package syslens.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.report.Allocations.Allocation;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Chart;
import syslens.report.Report.Column;
import syslens.report.Report.Line;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * Idle, oversized and undersized nodes from the 95th percentile of their CPU and memory step
 * averages (so a node must be low for most of the period, not once) against what they were
 * given, with a suggested size that would run the 95th percentile at {@link #TARGET_CPU} CPU and
 * {@link #TARGET_MEMORY} memory.
 */
final class RightSizing {
  static final double IDLE_CPU = 0.05;
  static final double IDLE_MEMORY = 0.10;
  static final double LOW_CPU = 0.30;
  static final double LOW_MEMORY = 0.40;
  static final double HIGH_CPU = 0.90;
  static final double HIGH_MEMORY = 0.95;
  /** CPU ready per vCPU above which a VM waits for CPU noticeably (VMware's 5% rule of thumb). */
  static final double HIGH_READY = 0.05;
  static final double TARGET_CPU = 0.70;
  static final double TARGET_MEMORY = 0.80;
  static final long GIB = 1L << 30;

  private RightSizing() {}

  enum Verdict { IDLE, OVERSIZED, UNDERSIZED }

  static Section compute(Data data, Allocations allocations) {
    Map<String, NodeSeries> cpu = data.cpu();
    Map<String, NodeSeries> mem = data.memory();
    Map<String, NodeSeries> ready = data.cpuReady();
    Map<String, NodeSeries> swapped = data.swapped();
    Map<String, NodeSeries> vcpus = data.get(Queries.AGENT_VCPUS);
    Map<String, NodeSeries> memTotal = data.get(Queries.AGENT_MEMORY);
    List<Column> cols = List.of(new Column("col.node", Unit.TEXT), new Column("col.group", Unit.TEXT),
        new Column("col.verdict", Unit.TEXT), new Column("col.reason", Unit.TEXT),
        new Column("col.cpu.p95", Unit.RATIO), new Column("col.memory.p95", Unit.RATIO),
        new Column("col.cpu_ready", Unit.RATIO), new Column("col.swapped", Unit.BYTES),
        new Column("col.vcpus", Unit.COUNT), new Column("col.memory", Unit.BYTES),
        new Column("col.vcpus.suggested", Unit.COUNT), new Column("col.memory.suggested", Unit.BYTES));
    List<List<Object>> rows = new ArrayList<>();
    Map<Verdict, List<NodeSeries>> byVerdict = new TreeMap<>();
    for (NodeSeries c : cpu.values()) {
      NodeSeries m = mem.get(c.entity());
      if (m == null) {
        continue;
      }
      double pc = Stats.percentile(c.v(), 95);
      double pm = Stats.percentile(m.v(), 95);
      double rd = ready.containsKey(c.entity()) ? Stats.mean(ready.get(c.entity()).v()) : Double.NaN;
      double sw = swapped.containsKey(c.entity()) ? Stats.mean(swapped.get(c.entity()).v()) : Double.NaN;
      Allocation a = allocation(c.entity(), allocations, vcpus, memTotal);
      double readyPerCpu = a == null || Double.isNaN(rd) ? rd : rd / a.vcpus();
      Verdict verdict;
      String reason;
      if (pc > HIGH_CPU || pm > HIGH_MEMORY || readyPerCpu > HIGH_READY || sw > 0) {
        verdict = Verdict.UNDERSIZED;
        reason = readyPerCpu > HIGH_READY ? "reason.cpu_ready" : sw > 0 ? "reason.swapping"
            : pc > HIGH_CPU ? "reason.cpu_saturated" : "reason.memory_saturated";
      } else if (pc < IDLE_CPU && pm < IDLE_MEMORY) {
        verdict = Verdict.IDLE;
        reason = "reason.idle";
      } else if (pc < LOW_CPU && pm < LOW_MEMORY) {
        verdict = Verdict.OVERSIZED;
        reason = "reason.low_usage";
      } else {
        continue;
      }
      double sugCpu = Double.NaN;
      double sugMem = Double.NaN;
      if (a != null) {
        sugCpu = Math.max(1, Math.ceil(a.vcpus() * pc / TARGET_CPU));
        double memBasis = a.memoryBytes() * pm + (sw > 0 ? sw : 0);
        sugMem = Math.max(1, Math.ceil(memBasis / TARGET_MEMORY / GIB)) * GIB;
      }
      rows.add(List.of(c.entity(), c.group(), "verdict." + verdict.name().toLowerCase(java.util.Locale.ROOT), reason,
          pc, pm, rd, sw, a == null ? Double.NaN : (double) a.vcpus(), a == null ? Double.NaN : (double) a.memoryBytes(),
          sugCpu, sugMem));
      byVerdict.computeIfAbsent(verdict, v -> new ArrayList<>()).add(c);
    }
    List<Line> lines = new ArrayList<>();
    byVerdict.forEach((v, ss) -> lines.add(Data.meanLine("verdict." + v.name().toLowerCase(java.util.Locale.ROOT), ss)));
    List<String> notes = new ArrayList<>(List.of("note.rightsizing"));
    if (cpu.isEmpty()) {
      notes.add("note.no_data");
    }
    return new Section(Kind.RIGHTSIZING, "section.rightsizing", cols, rows,
        lines.isEmpty() ? null : new Chart("chart.cpu_by_verdict", Unit.RATIO, lines), notes);
  }

  private static Allocation allocation(String node, Allocations allocations, Map<String, NodeSeries> vcpus,
      Map<String, NodeSeries> memTotal) {
    var given = allocations.find(node);
    if (given.isPresent()) {
      return given.get();
    }
    NodeSeries c = vcpus.get(node);
    NodeSeries m = memTotal.get(node);
    if (c == null || m == null || c.v().length == 0 || m.v().length == 0) {
      return null;
    }
    return new Allocation((int) c.v()[c.v().length - 1], (long) m.v()[m.v().length - 1]);
  }
}
