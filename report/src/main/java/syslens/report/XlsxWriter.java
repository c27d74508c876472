package syslens.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import syslens.report.Report.Column;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * XLSX (fastexcel, streamed): a cover sheet, then one sheet per section with a bold header row
 * and numbers in base units; ratios carry a percent format, so the cell value stays 0-1.
 */
public final class XlsxWriter {
  static final int MAX_SHEET_NAME = 31;

  private XlsxWriter() {}

  public static void write(Report report, OutputStream out) throws IOException {
    Messages m = Messages.of(report.request().language());
    Workbook wb = new Workbook(out, "SysLens", "1.0");
    Worksheet cover = wb.newWorksheet(sheetName(m.get("report.title"), new HashSet<>()));
    cover.value(0, 0, m.get("report.title"));
    cover.style(0, 0).bold().set();
    Object[][] meta = {
        {m.get("cover.installation"), report.installation()},
        {m.get("cover.scope"), report.request().scope().kind().equals("all") ? m.get("scope.all")
            : report.request().scope().describe()},
        {m.get("cover.period"), report.request().start() + " - " + report.request().end()},
        {m.get("cover.generated"), report.generatedAt().toString()},
        {m.get("cover.step"), Steps.promql(report.stepMs())},
        {m.get("cover.nodes"), report.nodes()}};
    for (int i = 0; i < meta.length; i++) {
      cover.value(i + 2, 0, (String) meta[i][0]);
      if (meta[i][1] instanceof Integer n) {
        cover.value(i + 2, 1, n);
      } else {
        cover.value(i + 2, 1, (String) meta[i][1]);
      }
    }
    cover.width(0, 24);
    cover.width(1, 48);
    Set<String> names = new HashSet<>(Set.of(cover.getName()));
    for (Section s : report.sections()) {
      Worksheet ws = wb.newWorksheet(sheetName(m.get(s.titleKey()), names));
      List<Column> cols = s.columns();
      for (int c = 0; c < cols.size(); c++) {
        ws.value(0, c, TableText.header(m, cols.get(c)));
        ws.width(c, cols.get(c).unit() == Unit.TEXT ? 24 : 14);
      }
      ws.range(0, 0, 0, cols.size() - 1).style().bold().set();
      int r = 1;
      for (List<Object> row : s.rows()) {
        for (int c = 0; c < cols.size(); c++) {
          Object v = row.get(c);
          if (cols.get(c).unit() == Unit.TEXT) {
            ws.value(r, c, m.text((String) v));
          } else if (!((Double) v).isNaN() && !((Double) v).isInfinite()) {
            ws.value(r, c, (Double) v);
            if (cols.get(c).unit() == Unit.RATIO) {
              ws.style(r, c).format("0.0%").set();
            }
          }
        }
        r++;
      }
      if (s.rows().isEmpty()) {
        ws.value(1, 0, m.get("note.no_data"));
      }
      ws.finish();
    }
    wb.finish();
  }

  /** Excel's sheet names: at most 31 characters, none of []:*?/\, unique. */
  static String sheetName(String title, Set<String> taken) {
    String base = title.replaceAll("[\\[\\]:*?/\\\\]", " ");
    base = base.length() > MAX_SHEET_NAME ? base.substring(0, MAX_SHEET_NAME) : base;
    String name = base;
    for (int i = 2; !taken.add(name); i++) {
      String suffix = " " + i;
      name = base.substring(0, Math.min(base.length(), MAX_SHEET_NAME - suffix.length())) + suffix;
    }
    return name;
  }
}
