package syslens.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.report.Report.Column;
import syslens.report.Report.Line;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * The preview the dashboard renders: the report's texts in its language, each cell as a number
 * in base units ({@code value}) and as people read it ({@code text}), chart lines as [t, v] pairs.
 */
final class JsonWriter {
  private JsonWriter() {}

  static Map<String, Object> toJson(Report r) {
    Messages m = Messages.of(r.request().language());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("title", m.get("report.title"));
    out.put("installation", r.installation());
    out.put("scope", r.request().scope().kind().equals("all") ? m.get("scope.all") : r.request().scope().describe());
    out.put("start", r.request().start().toString());
    out.put("end", r.request().end().toString());
    out.put("language", r.request().language());
    out.put("step", Steps.promql(r.stepMs()));
    out.put("nodes", r.nodes());
    out.put("empty", r.empty());
    List<Object> sections = new ArrayList<>();
    for (Section s : r.sections()) {
      Map<String, Object> sj = new LinkedHashMap<>();
      sj.put("kind", s.kind().key());
      sj.put("title", m.get(s.titleKey()));
      sj.put("notes", s.notes().stream().map(m::get).toList());
      sj.put("columns", s.columns().stream().map(c -> Map.of("title", m.get(c.key()), "unit",
          c.unit().name().toLowerCase(java.util.Locale.ROOT))).toList());
      List<Object> rows = new ArrayList<>();
      for (List<Object> row : s.rows()) {
        List<Object> cells = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
          Column c = s.columns().get(i);
          if (c.unit() == Unit.TEXT) {
            cells.add(Map.of("text", m.text((String) row.get(i))));
          } else {
            double d = (Double) row.get(i);
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("value", Double.isNaN(d) || Double.isInfinite(d) ? null : d);
            cell.put("text", TableText.human(d, c.unit()));
            cells.add(cell);
          }
        }
        rows.add(cells);
      }
      sj.put("rows", rows);
      if (s.chart() != null) {
        List<Object> lines = new ArrayList<>();
        for (Line l : s.chart().lines()) {
          List<double[]> pts = new ArrayList<>(l.t().length);
          for (int i = 0; i < l.t().length; i++) {
            pts.add(new double[] {l.t()[i] / 1000.0, l.v()[i]});
          }
          lines.add(Map.of("name", m.text(l.name()), "dashed", l.dashed(), "points", pts));
        }
        sj.put("chart", Map.of("title", m.get(s.chart().titleKey()), "unit",
            s.chart().unit().name().toLowerCase(java.util.Locale.ROOT), "lines", lines));
      }
      sections.add(sj);
    }
    out.put("sections", sections);
    return out;
  }
}
