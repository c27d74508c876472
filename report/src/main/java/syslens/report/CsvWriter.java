package syslens.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import syslens.report.Report.Column;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * CSV (RFC 4180, UTF-8 with a byte order mark so spreadsheet programs read CJK): per section a
 * line with its title, a header line, its rows and an empty line. Numbers are in base units
 * (ratios 0-1, bytes, seconds) with full precision; unknown values are empty.
 */
public final class CsvWriter {
  private CsvWriter() {}

  public static void write(Report report, OutputStream out) throws IOException {
    Messages m = Messages.of(report.request().language());
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    w.write('\uFEFF');
    line(w, List.of(m.get("report.title"), report.installation(), report.request().scope().describe(),
        report.request().start().toString(), report.request().end().toString()));
    w.write("\r\n");
    for (Section s : report.sections()) {
      line(w, List.of(m.get(s.titleKey())));
      line(w, s.columns().stream().map(c -> TableText.header(m, c)).toList());
      for (List<Object> row : s.rows()) {
        String[] cells = new String[row.size()];
        for (int i = 0; i < cells.length; i++) {
          cells[i] = cell(m, s.columns().get(i), row.get(i));
        }
        line(w, List.of(cells));
      }
      if (s.rows().isEmpty()) {
        line(w, List.of(m.get("note.no_data")));
      }
      w.write("\r\n");
    }
    w.flush();
  }

  static String cell(Messages m, Column c, Object v) {
    if (c.unit() == Unit.TEXT) {
      return m.text((String) v);
    }
    double d = (Double) v;
    return Double.isNaN(d) || Double.isInfinite(d) ? "" : number(d);
  }

  /** Shortest exact text of a double, without exponent for ordinary magnitudes. */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }

  private static void line(Writer w, List<String> cells) throws IOException {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        w.write(',');
      }
      String c = cells.get(i);
      if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
        w.write('"');
        w.write(c.replace("\"", "\"\""));
        w.write('"');
      } else {
        w.write(c);
      }
    }
    w.write("\r\n");
  }
}
