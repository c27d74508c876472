package syslens.report;

import java.awt.Color;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import syslens.report.Report.Chart;
import syslens.report.Report.Line;

/** Draws a {@link Chart} on a PDF page: frame, grid, axes with ticks and units, lines, legend. */
final class LineChart {
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
  static final int TICKS = 5;

  private LineChart() {}

  /** Draws {@code chart} with its plot area's lower left corner at (x, y); legend below it. */
  static void draw(PdfText text, Chart chart, Messages m, ZoneId zone, float x, float y, float w, float h)
      throws IOException {
    PDPageContentStream cs = text.stream();
    long tmin = Long.MAX_VALUE;
    long tmax = Long.MIN_VALUE;
    double vmax = 0;
    double vmin = 0;
    for (Line l : chart.lines()) {
      for (int i = 0; i < l.t().length; i++) {
        tmin = Math.min(tmin, l.t()[i]);
        tmax = Math.max(tmax, l.t()[i]);
        if (!Double.isNaN(l.v()[i])) {
          vmax = Math.max(vmax, l.v()[i]);
          vmin = Math.min(vmin, l.v()[i]);
        }
      }
    }
    if (tmax <= tmin) {
      tmax = tmin + 1;
    }
    double top = chart.unit() == Report.Unit.COUNT ? Math.max(TICKS, Math.ceil(vmax / TICKS) * TICKS)
        : niceMax(chart.unit() == Report.Unit.RATIO ? Math.max(vmax, 0.1) : Math.max(vmax, 1e-9));
    double bottom = vmin < 0 ? -niceMax(-vmin) : 0;
    text.show(m.get(chart.titleKey()), x, y + h + 8, 10);
    cs.setStrokingColor(new Color(0xdddddd));
    cs.setLineWidth(0.4f);
    for (int i = 0; i <= TICKS; i++) {
      float yy = y + h * i / TICKS;
      cs.moveTo(x, yy);
      cs.lineTo(x + w, yy);
      double value = bottom + (top - bottom) * i / TICKS;
      String label = TableText.human(value, chart.unit());
      text.show(label, x - 4 - text.width(label, 7), yy - 2.5f, 7);
    }
    cs.stroke();
    DateTimeFormatter fmt = DateTimeFormatter.ofPattern(tmax - tmin > 3 * 86_400_000L ? "MM-dd" : "MM-dd HH:mm")
        .withZone(zone);
    for (int i = 0; i <= TICKS; i++) {
      long t = tmin + (tmax - tmin) * i / TICKS;
      float xx = x + w * i / TICKS;
      String label = fmt.format(Instant.ofEpochMilli(t));
      text.show(label, xx - text.width(label, 7) / 2, y - 10, 7);
    }
    text.show(m.get("chart.time") + " (" + zone.getId() + ")", x + w / 2 - 20, y - 20, 7);
    cs.setStrokingColor(Color.BLACK);
    cs.setLineWidth(0.8f);
    cs.moveTo(x, y + h);
    cs.lineTo(x, y);
    cs.lineTo(x + w, y);
    cs.stroke();
    List<Line> lines = chart.lines();
    int colour = -1;
    String previous = null;
    float lx = x;
    float ly = y - 34;
    for (Line l : lines) {
      if (!l.name().equals(previous)) {
        colour++;
      }
      Color c = PALETTE[colour % PALETTE.length];
      cs.setStrokingColor(c);
      cs.setLineWidth(1.2f);
      cs.setLineDashPattern(l.dashed() ? new float[] {4, 3} : new float[0], 0);
      boolean started = false;
      for (int i = 0; i < l.t().length; i++) {
        if (Double.isNaN(l.v()[i])) {
          started = false;
          continue;
        }
        float px = (float) (x + w * (double) (Math.min(l.t()[i], tmax) - tmin) / (tmax - tmin));
        float py = (float) (y + h * (Math.max(bottom, Math.min(top, l.v()[i])) - bottom) / (top - bottom));
        if (started) {
          cs.lineTo(px, py);
        } else {
          cs.moveTo(px, py);
          started = true;
        }
      }
      cs.stroke();
      if (!l.name().equals(previous)) {
        String name = m.text(l.name());
        cs.setLineDashPattern(new float[0], 0);
        cs.moveTo(lx, ly + 3);
        cs.lineTo(lx + 14, ly + 3);
        cs.stroke();
        text.show(name, lx + 18, ly, 7);
        lx += 30 + text.width(name, 7);
        if (lx > x + w - 60) {
          lx = x;
          ly -= 11;
        }
      }
      previous = l.name();
    }
    cs.setLineDashPattern(new float[0], 0);
    cs.setStrokingColor(Color.BLACK);
  }

  /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above v. */
  static double niceMax(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double f : new double[] {1, 2, 2.5, 5, 10}) {
      if (f * p >= v) {
        return f * p;
      }
    }
    return 10 * p;
  }
}
