package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.tsdb.Tsdb;

/**
 * The PDF as people see it: rendered to PNG by Debian's pdftoppm (pages kept under
 * target/report-pdf/ to look at), text extracted by pdftotext, fonts listed by pdffonts.
 */
class PdfTest {
  static final Path OUT = Path.of("target", "report-pdf");
  @TempDir
  static Path tmp;
  static Tsdb tsdb;

  @BeforeAll
  static void open() throws IOException {
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).build();
    new Synthetic().write(tsdb);
    Files.createDirectories(OUT);
  }

  @AfterAll
  static void close() {
    tsdb.close();
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + new String(out, StandardCharsets.UTF_8)).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource({
      "en, Infrastructure report, Contents, Utilization per node, Right-sizing, Alert summary, Oversized, Page 1 of",
      "zh-CN, 基础设施报告, 目录, 节点利用率, 规格优化建议, 告警汇总, 规格过大, 第 1 页",
      "ja-JP, インフラストラクチャ レポート, 目次, ノード別の使用率, サイジングの最適化, アラートの概要, 過大, 1 /"})
  void write_rendersHeadingsAndFiguresInEachLanguage(String lang, String title, String toc, String util, String rs,
      String cap, String verdict, String page) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/pdftoppm")), "poppler-utils not installed");
    Report r = GoldenTest.reports().compute(GoldenTest.request(ReportScope.all(), lang), tsdb);
    Path pdf = OUT.resolve("report-" + lang + ".pdf");
    int pages;
    try (OutputStream out = Files.newOutputStream(pdf)) {
      pages = PdfWriter.write(r, Fonts.locate(null), out);
    }
    String text = run("pdftotext", "-layout", pdf.toString(), "-");
    assertThat(text).contains(title, toc, util, rs, cap, verdict, page, "Golden lab", "vm-a", "c1");
    // vm-a was down 15 of 1440 minutes: 98.96 % up, one incident of 15 min.
    assertThat(text).contains("99.0 %", "15 min 0 s");
    assertThat(text).contains(pages + "");
    String fonts = run("pdffonts", pdf.toString());
    assertThat(fonts).containsPattern("[A-Z]{6}\\+\\S+\\s+CID TrueType\\s+Identity-H\\s+yes yes");
    Path prefix = OUT.resolve("page-" + lang);
    run("pdftoppm", "-png", "-r", "40", pdf.toString(), prefix.toString());
    List<Path> pngs = new ArrayList<>();
    try (var s = Files.list(OUT)) {
      s.filter(p -> p.getFileName().toString().startsWith("page-" + lang + "-")).forEach(pngs::add);
    }
    assertThat(pngs).hasSize(pages);
    assertThat(pages).isGreaterThanOrEqualTo(9); // cover, contents, seven sections
  }

  @Test
  void locate_missingFontNamesTheDebianPackage() {
    assertThatThrownBy(() -> Fonts.locate(tmp.resolve("nope.ttf")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("fonts-droid-fallback");
  }

  @Test
  void write_emptyReportSaysSoOnTheCover() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/pdftotext")), "poppler-utils not installed");
    ReportRequest req = new ReportRequest(List.of(Kind.AVAILABILITY), ReportScope.parse("group", "nobody"),
        Synthetic.START, Synthetic.END, "en", ZoneOffset.UTC);
    Path pdf = OUT.resolve("report-empty.pdf");
    try (OutputStream out = Files.newOutputStream(pdf)) {
      PdfWriter.write(GoldenTest.reports().compute(req, tsdb), Fonts.locate(null), out);
    }
    assertThat(run("pdftotext", pdf.toString(), "-")).contains("No data in this scope over this period.", "group=nobody");
  }
}
