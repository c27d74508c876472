package syslens.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Chart;
import syslens.report.Report.Column;
import syslens.report.Report.Line;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * Disk (fullest file system of agent nodes), memory and datastore usage: a least-squares line
 * over the period's step averages and the days until it reaches 100% from the end of the period
 * (NaN when usage is flat or falling).
 */
final class Capacity {
  static final int CHART_LINES = 4;
  static final double DAY_MS = 86_400_000.0;

  private Capacity() {}

  record Fit(String entity, String group, String resource, NodeSeries series, double a, double b) {}

  static Section compute(Data data, long endMs) {
    List<Fit> fits = new ArrayList<>();
    add(fits, data.get(Queries.DISK_USED), "resource.disk");
    add(fits, data.memory(), "resource.memory");
    add(fits, data.get(Queries.DATASTORE_USED), "resource.datastore");
    List<Column> cols = List.of(new Column("col.node", Unit.TEXT), new Column("col.group", Unit.TEXT),
        new Column("col.resource", Unit.TEXT), new Column("col.used", Unit.RATIO),
        new Column("col.growth_per_day", Unit.RATIO), new Column("col.runs_out_days", Unit.DAYS));
    fits.sort(Comparator.comparingDouble((Fit f) -> runsOut(f, endMs)).thenComparing(Fit::entity));
    List<List<Object>> rows = new ArrayList<>();
    for (Fit f : fits) {
      double[] v = f.series().v();
      rows.add(List.of(f.entity(), f.group(), f.resource(), v[v.length - 1], f.b() * DAY_MS, runsOut(f, endMs)));
    }
    List<Line> lines = new ArrayList<>();
    for (Fit f : fits.subList(0, Math.min(CHART_LINES, fits.size()))) {
      String name = f.entity() + " (" + f.resource() + ")";
      lines.add(new Line(name, f.series().t(), f.series().v(), false));
      long[] t = f.series().t();
      long to = endMs + (endMs - t[0]) / 4;
      lines.add(new Line(name, new long[] {t[0], to}, new double[] {f.a() + f.b() * t[0], f.a() + f.b() * to}, true));
    }
    List<String> notes = new ArrayList<>(List.of("note.capacity"));
    if (fits.isEmpty()) {
      notes.add("note.no_data");
    }
    return new Section(Kind.CAPACITY, "section.capacity", cols, rows,
        lines.isEmpty() ? null : new Chart("chart.capacity", Unit.RATIO, lines), notes);
  }

  private static void add(List<Fit> out, Map<String, NodeSeries> series, String resource) {
    for (NodeSeries s : series.values()) {
      if (s.v().length == 0) {
        continue;
      }
      double[] ab = Stats.fit(s.t(), s.v());
      out.add(new Fit(s.entity(), s.group(), resource, s, ab[0], ab[1]));
    }
  }

  /** Days from {@code endMs} until the fitted line reaches 1 (100%); NaN when not growing; 0 when already there. */
  static double runsOut(Fit f, long endMs) {
    if (Double.isNaN(f.b()) || f.b() <= 0) {
      return Double.NaN;
    }
    double now = f.a() + f.b() * endMs;
    return Math.max(0, (1 - now) / f.b() / DAY_MS);
  }
}
