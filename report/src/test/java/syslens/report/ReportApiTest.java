package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.tsdb.Tsdb;

class ReportApiTest {
  @TempDir
  static Path tmp;
  static Tsdb tsdb;
  static final Clock CLOCK = Clock.fixed(Synthetic.END.plusSeconds(60), ZoneOffset.UTC);

  @BeforeAll
  static void open() {
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).build();
    new Synthetic().write(tsdb);
  }

  @AfterAll
  static void close() {
    tsdb.close();
  }

  static ReportApi api(Path dir, int keep) throws Exception {
    return new ReportApi(ReportService.builder(GoldenTest.reports(), dir).clock(CLOCK)
        .retention(keep, Duration.ofDays(30)).build(), CLOCK);
  }

  static final String DAY = "\"start\": \"2026-11-01T00:00:00Z\", \"end\": \"2026-11-02T00:00:00Z\"";

  @Test
  void post_storesTheReportAndListsItForItsOwnerOnly() throws Exception {
    Path dir = tmp.resolve("store1");
    ReportApi api = api(dir, 10);
    var r = api.handle("POST", "/api/v1/reports", "{\"kind\": [\"utilization\", \"availability\"], \"scope\": "
        + "{\"kind\": \"cluster\", \"value\": \"c1\"}, " + DAY + ", \"format\": \"xlsx\", \"language\": \"ja-JP\"}",
        "alice", tsdb);
    assertThat(r.status()).as(r.error()).isEqualTo(201);
    assertThat(r.audit().action()).isEqualTo("report.run");
    assertThat(r.audit().detail()).contains("scope=cluster=c1", "format=xlsx");
    ReportStore.Entry e = (ReportStore.Entry) r.data();
    assertThat(e.nodes()).isEqualTo(2);
    var file = api.handle("GET", "/api/v1/reports/" + e.id() + "/file", null, "alice", tsdb);
    assertThat(file.file()).exists().hasSize(e.bytes());
    assertThat(file.contentType()).startsWith("application/vnd.openxmlformats");
    var preview = api.handle("GET", "/api/v1/reports/" + e.id() + "/preview", null, "alice", tsdb);
    assertThat(Files.readString(preview.file())).contains("ノード別の使用率", "vm-a").doesNotContain("vm-c");
    assertThat((List<?>) api.handle("GET", "/api/v1/reports", null, "alice", tsdb).data()).hasSize(1);
    assertThat((List<?>) api.handle("GET", "/api/v1/reports", null, "bob", tsdb).data()).isEmpty();
    assertThat(api.handle("GET", "/api/v1/reports/" + e.id() + "/file", null, "bob", tsdb).status()).isEqualTo(404);
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void post_keepsOnlyTheNewestReports() throws Exception {
    Path dir = tmp.resolve("store2");
    ReportApi api = api(dir, 2);
    for (int i = 0; i < 3; i++) {
      var r = api.handle("POST", "/api/v1/reports", "{\"kind\": \"capacity\", " + DAY + ", \"format\": \"csv\"}", "a",
          tsdb);
      assertThat(r.status()).as(r.error()).isEqualTo(201);
    }
    assertThat((List<?>) api.handle("GET", "/api/v1/reports", null, "a", tsdb).data()).hasSize(2);
    try (var s = Files.list(dir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".csv"))).hasSize(2);
    }
  }

  @Test
  void post_badInputAnswers400NamingTheField() throws Exception {
    ReportApi api = api(tmp.resolve("store3"), 10);
    record Case(String body, String message) {}
    for (Case c : List.of(
        new Case("{\"kind\": \"bogus\"}", "kind: \"bogus\" (expected: one of [utilization, rightsizing"),
        new Case("{}", "kind: missing"),
        new Case("{\"kind\": \"utilization\", \"period\": \"10y\"}", "period: 3650 days (expected: at most 800 days"),
        new Case("{\"kind\": \"utilization\", \"scope\": {\"kind\": \"group\", \"value\": \"\"}}", "scope.group: empty"),
        new Case("{\"kind\": \"utilization\", \"scope\": {\"kind\": \"selector\", \"value\": \"{a=~\\\".*\\\"}\"}}",
            "selects every series"),
        new Case("{\"kind\": \"utilization\", \"format\": \"docx\"}", "format: \"docx\" (expected: pdf, csv or xlsx)"),
        new Case("{\"kind\": \"utilization\", \"language\": \"fr\"}", "language: \"fr\""),
        new Case("{\"kind\": \"utilization\", \"timezone\": \"Mars/Olympus\"}", "timezone: \"Mars/Olympus\""),
        new Case("[1]", "expected: a JSON object"),
        new Case("not json", "body: not JSON"))) {
      var r = api.handle("POST", "/api/v1/reports", c.body(), "a", tsdb);
      assertThat(r.status()).as(c.body()).isEqualTo(400);
      assertThat(r.errorType()).isEqualTo("bad_data");
      assertThat(r.error()).as(c.body()).contains(c.message());
    }
    assertThat(api.handle("GET", "/api/v1/reports/0123/file", null, "a", tsdb).status()).isEqualTo(404);
    assertThat(api.handle("DELETE", "/api/v1/reports", null, "a", tsdb).status()).isEqualTo(405);
  }
}
