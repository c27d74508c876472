package syslens.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Chart;
import syslens.report.Report.Column;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * Uptime from {@code up}: each step's share of up samples; a downtime incident is a run of steps
 * with a share below 1, lasting the down share of those steps (so at a 1-hour step an incident
 * is known to the hour, its duration to the sample).
 */
final class Availability {
  /** Incidents listed in the incident table, longest first. */
  static final int MAX_INCIDENTS = 1000;

  private Availability() {}

  record Incident(String node, String group, long start, long end, double downSeconds) {}

  static List<Section> compute(Data data) {
    Map<String, NodeSeries> up = data.get(Queries.UP);
    long step = data.step();
    List<Column> cols = List.of(new Column("col.node", Unit.TEXT), new Column("col.group", Unit.TEXT),
        new Column("col.uptime", Unit.RATIO), new Column("col.incidents", Unit.COUNT),
        new Column("col.downtime", Unit.SECONDS), new Column("col.longest", Unit.SECONDS));
    List<List<Object>> rows = new ArrayList<>();
    List<Incident> all = new ArrayList<>();
    for (NodeSeries s : up.values()) {
      List<Incident> inc = incidents(s, step);
      double down = inc.stream().mapToDouble(Incident::downSeconds).sum();
      double longest = inc.stream().mapToDouble(Incident::downSeconds).max().orElse(0);
      rows.add(List.of(s.entity(), s.group(), Stats.mean(s.v()), (double) inc.size(), down, longest));
      all.addAll(inc);
    }
    all.sort((a, b) -> Double.compare(b.downSeconds(), a.downSeconds()));
    List<List<Object>> incRows = new ArrayList<>();
    for (Incident i : all.subList(0, Math.min(MAX_INCIDENTS, all.size()))) {
      incRows.add(List.of(i.node(), i.group(), java.time.Instant.ofEpochMilli(i.start()).toString(),
          java.time.Instant.ofEpochMilli(i.end()).toString(), i.downSeconds()));
    }
    List<Column> incCols = List.of(new Column("col.node", Unit.TEXT), new Column("col.group", Unit.TEXT),
        new Column("col.from", Unit.TEXT), new Column("col.to", Unit.TEXT), new Column("col.downtime", Unit.SECONDS));
    Chart chart = up.isEmpty() ? null
        : new Chart("chart.uptime", Unit.RATIO, List.of(Data.meanLine("line.all_nodes", List.copyOf(up.values()))));
    List<String> notes = new ArrayList<>();
    if (up.isEmpty()) {
      notes.add("note.no_data");
    }
    List<String> incNotes = all.size() > MAX_INCIDENTS ? List.of("note.incidents_truncated|" + MAX_INCIDENTS) : List.of();
    return List.of(new Section(Kind.AVAILABILITY, "section.availability", cols, rows, chart, notes),
        new Section(Kind.AVAILABILITY, "section.incidents", incCols, incRows, null, incNotes));
  }

  /** Runs of steps with an up share below 1; a point at t covers (t - step, t]. */
  static List<Incident> incidents(NodeSeries s, long step) {
    List<Incident> out = new ArrayList<>();
    int i = 0;
    long[] t = s.t();
    double[] v = s.v();
    while (i < v.length) {
      if (v[i] >= 1) {
        i++;
        continue;
      }
      int j = i;
      double down = 0;
      while (j < v.length && v[j] < 1 && (j == i || t[j] - t[j - 1] == step)) {
        down += (1 - v[j]) * step / 1000.0;
        j++;
      }
      out.add(new Incident(s.entity(), s.group(), t[i] - step, t[j - 1], down));
      i = j;
    }
    return out;
  }
}
