package syslens.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.fontbox.ttf.TrueTypeCollection;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import syslens.report.Report.Column;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;

/**
 * The PDF: a cover (installation, scope, period), a table of contents, then per section a
 * heading, its notes, its chart and its table (header repeated on every page), page numbers on
 * every page. A4 landscape; one TrueType font with CJK glyphs, embedded as a subset.
 */
public final class PdfWriter {
  static final PDRectangle PAGE = new PDRectangle(PDRectangle.A4.getHeight(), PDRectangle.A4.getWidth());
  static final float MARGIN = 36;
  static final float ROW = 11;
  static final float TABLE_FONT = 6.5f;

  private final PDDocument doc;
  private final PdfText text;
  private final Messages m;
  private final Report report;
  private final List<PDPage> content = new ArrayList<>();
  private PDPageContentStream cs;
  private float y;

  private PdfWriter(PDDocument doc, List<PDType0Font> fonts, Report report) {
    this.doc = doc;
    this.text = new PdfText(fonts);
    this.m = Messages.of(report.request().language());
    this.report = report;
  }

  /**
   * Writes {@code report} as PDF with the CJK TrueType font at {@code fontFile} (and DejaVu Sans
   * for Latin text when installed, see {@link Fonts}); returns the number of pages.
   */
  public static int write(Report report, Path fontFile, OutputStream out) throws IOException {
    try (PDDocument doc = new PDDocument()) {
      List<PDType0Font> fonts = new ArrayList<>();
      if (Fonts.latin() != null) {
        fonts.add(load(doc, Fonts.latin()));
      }
      fonts.add(load(doc, fontFile));
      PdfWriter w = new PdfWriter(doc, fonts, report);
      w.render();
      doc.save(out);
      return doc.getNumberOfPages();
    }
  }

  private static PDType0Font load(PDDocument doc, Path file) throws IOException {
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".ttc")) {
      TrueTypeCollection ttc = new TrueTypeCollection(file.toFile());
      TrueTypeFont[] first = new TrueTypeFont[1];
      ttc.processAllFonts(f -> {
        if (first[0] == null) {
          first[0] = f;
        }
      });
      return PDType0Font.load(doc, first[0], true);
    }
    return PDType0Font.load(doc, file.toFile()); // embedded as a subset
  }

  private void render() throws IOException {
    cover();
    List<Integer> sectionPages = new ArrayList<>();
    for (Section s : report.sections()) {
      newPage();
      sectionPages.add(content.size());
      section(s);
    }
    close();
    toc(sectionPages);
    footers();
  }

  private void newPage() throws IOException {
    close();
    PDPage page = new PDPage(PAGE);
    doc.addPage(page);
    content.add(page);
    cs = new PDPageContentStream(doc, page);
    text.stream(cs);
    y = PAGE.getHeight() - MARGIN;
  }

  private void close() throws IOException {
    if (cs != null) {
      cs.close();
      cs = null;
    }
  }

  private void cover() throws IOException {
    newPage();
    ReportRequest r = report.request();
    y = PAGE.getHeight() / 2 + 90;
    text.show(m.get("report.title"), MARGIN + 40, y, 26);
    y -= 24;
    String kinds = String.join(", ", r.kinds().stream().map(k -> m.get("kind." + k.key())).toList());
    text.show(kinds, MARGIN + 40, y, 13);
    y -= 40;
    DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(r.zone());
    String[][] rows = {
        {m.get("cover.installation"), report.installation()},
        {m.get("cover.scope"), r.scope().kind().equals("all") ? m.get("scope.all") : r.scope().describe()},
        {m.get("cover.period"), f.format(r.start()) + " – " + f.format(r.end()) + " (" + r.zone().getId() + ")"},
        {m.get("cover.nodes"), Integer.toString(report.nodes())},
        {m.get("cover.step"), Steps.promql(report.stepMs())},
        {m.get("cover.generated"), f.format(report.generatedAt())}};
    for (String[] row : rows) {
      text.show(row[0], MARGIN + 40, y, 11);
      text.show(row[1], MARGIN + 180, y, 11);
      y -= 18;
    }
    if (report.empty()) {
      y -= 12;
      text.show(m.get("empty"), MARGIN + 40, y, 12);
    }
  }

  private void section(Section s) throws IOException {
    text.show(m.get(s.titleKey()), MARGIN, y - 14, 16);
    y -= 30;
    float width = PAGE.getWidth() - 2 * MARGIN;
    for (String note : s.notes()) {
      for (String line : text.wrap(m.get(note), 8, width)) {
        text.show(line, MARGIN, y, 8);
        y -= 11;
      }
    }
    if (s.chart() != null) {
      float h = 150;
      y -= 24;
      LineChart.draw(text, s.chart(), m, report.request().zone(), MARGIN + 50, y - h, width - 60, h);
      y -= h + 60 + 11 * ((s.chart().lines().size() - 1) / 6);
    }
    table(s);
  }

  private void table(Section s) throws IOException {
    List<Column> cols = s.columns();
    float width = PAGE.getWidth() - 2 * MARGIN;
    float units = 0;
    for (Column c : cols) {
      units += c.unit() == Unit.TEXT ? 2.2f : 1;
    }
    float[] w = new float[cols.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = width * (cols.get(i).unit() == Unit.TEXT ? 2.2f : 1) / units;
    }
    if (s.rows().isEmpty()) {
      text.show(m.get("note.no_data"), MARGIN, y - 10, 10);
      return;
    }
    header(cols, w);
    for (List<Object> row : s.rows()) {
      if (y < MARGIN + 20) {
        newPage();
        header(cols, w);
      }
      float x = MARGIN;
      List<String> cells = new java.util.ArrayList<>(cols.size());
      float[] xs = new float[cols.size()];
      for (int i = 0; i < cols.size(); i++) {
        Object v = row.get(i);
        String cell = cols.get(i).unit() == Unit.TEXT ? m.text((String) v) : TableText.human((Double) v, cols.get(i).unit());
        cell = text.fit(cell, TABLE_FONT, w[i] - 3);
        xs[i] = cols.get(i).unit() == Unit.TEXT ? x : x + w[i] - 3 - text.width(cell, TABLE_FONT);
        cells.add(cell);
        x += w[i];
      }
      text.line(cells, xs, y, TABLE_FONT);
      y -= ROW;
    }
  }

  private void header(List<Column> cols, float[] w) throws IOException {
    float x = MARGIN;
    cs.setNonStrokingColor(new java.awt.Color(0xeeeeee));
    cs.addRect(MARGIN, y - 3, PAGE.getWidth() - 2 * MARGIN, ROW + 1);
    cs.fill();
    cs.setNonStrokingColor(java.awt.Color.BLACK);
    for (int i = 0; i < cols.size(); i++) {
      String h = text.fit(m.get(cols.get(i).key()), TABLE_FONT, w[i] - 3);
      float tx = cols.get(i).unit() == Unit.TEXT ? x : x + w[i] - 3 - text.width(h, TABLE_FONT);
      text.show(h, tx, y, TABLE_FONT);
      x += w[i];
    }
    y -= ROW + 2;
  }

  /** The contents page, inserted after the cover; section pages shift by one. */
  private void toc(List<Integer> sectionPages) throws IOException {
    PDPage page = new PDPage(PAGE);
    doc.getPages().insertAfter(page, content.get(0));
    try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
      text.stream(s);
      float ty = PAGE.getHeight() - MARGIN - 20;
      text.show(m.get("toc"), MARGIN, ty, 18);
      ty -= 34;
      for (int i = 0; i < report.sections().size(); i++) {
        String title = m.get(report.sections().get(i).titleKey());
        String num = Integer.toString(sectionPages.get(i) + 1);
        text.show(title, MARGIN + 10, ty, 12);
        text.show(num, PAGE.getWidth() - MARGIN - text.width(num, 12), ty, 12);
        ty -= 20;
      }
    }
  }

  private void footers() throws IOException {
    int n = doc.getNumberOfPages();
    for (int i = 0; i < n; i++) {
      PDPage page = doc.getPage(i);
      try (PDPageContentStream s = new PDPageContentStream(doc, page, PDPageContentStream.AppendMode.APPEND, true,
          true)) {
        text.stream(s);
        String label = m.get("page|" + (i + 1) + "|" + n);
        text.show(label, PAGE.getWidth() - MARGIN - text.width(label, 8), MARGIN / 2, 8);
        text.show(report.installation() + " · " + m.get("report.title"), MARGIN, MARGIN / 2, 8);
      }
    }
  }
}
