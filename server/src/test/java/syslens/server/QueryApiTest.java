package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/** The Prometheus-compatible query endpoints over real storage, including every bad input. */
class QueryApiTest {
  @TempDir static Path dir;
  static TestServer server;
  static String token;
  static final long T0 = 1_700_000_000_000L;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
    token = server.login();
    Appender app = server.server.tsdb().appender();
    for (int i = 0; i <= 60; i++) {
      long t = T0 + i * 10_000L;
      app.append(Labels.of("__name__", "requests_total", "job", "api", "code", "200"), t, i * 50.0);
      app.append(Labels.of("__name__", "requests_total", "job", "api", "code", "500"), t, i * 5.0);
      app.append(Labels.of("__name__", "requests_total", "job", "web", "code", "200"), t, i * 20.0);
    }
    app.commit();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static JsonNode get(String pathAndQuery, int expectStatus) throws Exception {
    HttpResponse<String> r = server.get(pathAndQuery, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expectStatus);
    return TestServer.JSON.readTree(r.body());
  }

  @Test
  void instantQuery_sumByRate() throws Exception {
    JsonNode b = get("/api/v1/query?query=" + TestServer.enc("sum by (job) (rate(requests_total[1m]))")
        + "&time=" + (T0 + 600_000) / 1000, 200);
    assertThat(b.at("/data/resultType").asText()).isEqualTo("vector");
    JsonNode result = b.at("/data/result");
    assertThat(result).hasSize(2);
    assertThat(result.get(0).at("/metric/job").asText()).isEqualTo("api");
    assertThat(Double.parseDouble(result.get(0).at("/value/1").asText())).isCloseTo(5.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(result.get(0).at("/value/0").asDouble()).isEqualTo((T0 + 600_000) / 1000.0);
  }

  @Test
  void rangeQuery_returnsMatrixOnTheStepGrid() throws Exception {
    JsonNode b = get("/api/v1/query_range?query=" + TestServer.enc("requests_total{code=~\"5..\"}")
        + "&start=" + T0 / 1000 + "&end=" + (T0 + 60_000) / 1000 + "&step=20s", 200);
    assertThat(b.at("/data/resultType").asText()).isEqualTo("matrix");
    JsonNode values = b.at("/data/result/0/values");
    assertThat(values).hasSize(4);
    assertThat(values.get(1).get(0).asDouble()).isEqualTo((T0 + 20_000) / 1000.0);
    assertThat(values.get(1).get(1).asText()).isEqualTo("10");
  }

  @Test
  void rangeQuery_rawParameter_sameAnswerOnRawDataAndValidated() throws Exception {
    String q = "/api/v1/query_range?query=" + TestServer.enc("sum(rate(requests_total[1m]))")
        + "&start=" + T0 / 1000 + "&end=" + (T0 + 600_000) / 1000 + "&step=60s";
    assertThat(get(q + "&raw=true", 200).at("/data/result")).isEqualTo(get(q, 200).at("/data/result"));
    assertThat(get(q + "&raw=yes", 400).get("error").asText())
        .isEqualTo("invalid parameter \"raw\": yes (expected: true or false)");
  }

  @Test
  void query_postForm_works() throws Exception {
    HttpResponse<String> r = server.postForm("/api/v1/query", "query=" + TestServer.enc("1+1") + "&time=" + T0 / 1000, token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(TestServer.JSON.readTree(r.body()).at("/data/result/1").asText()).isEqualTo("2");
  }

  @Test
  void query_parseError_is400BadData() throws Exception {
    JsonNode b = get("/api/v1/query?query=" + TestServer.enc("sum(rate(x[5m])"), 400);
    assertThat(b.get("errorType").asText()).isEqualTo("bad_data");
    assertThat(b.get("error").asText()).contains("parse error");
  }

  @Test
  void query_unknownFunction_is400() throws Exception {
    JsonNode b = get("/api/v1/query?query=" + TestServer.enc("nosuchfn(up)"), 400);
    assertThat(b.get("error").asText()).contains("unknown function with name \"nosuchfn\"");
  }

  @Test
  void queryRange_badParameters_are400WithReason() throws Exception {
    String q = "query=up";
    assertThat(get("/api/v1/query_range?" + q + "&start=abc&end=10&step=1", 400).get("error").asText())
        .contains("cannot parse \"abc\" to a valid timestamp");
    assertThat(get("/api/v1/query_range?" + q + "&start=10&end=5&step=1", 400).get("error").asText())
        .contains("end timestamp must not be before start time");
    assertThat(get("/api/v1/query_range?" + q + "&start=0&end=5&step=0", 400).get("error").asText())
        .contains("zero or negative query resolution step");
    assertThat(get("/api/v1/query_range?" + q + "&start=0&end=5&step=xyz", 400).get("error").asText())
        .contains("cannot parse \"xyz\" to a valid duration");
    assertThat(get("/api/v1/query_range?" + q + "&start=0&end=100000&step=1", 400).get("error").asText())
        .contains("exceeded maximum resolution of 11,000 points");
    assertThat(get("/api/v1/query_range?start=0&end=5&step=1", 400).get("error").asText())
        .isEqualTo("1:1: parse error: no expression found in input");
  }

  @Test
  void query_tooLong_is400() throws Exception {
    HttpResponse<String> r = server.postForm("/api/v1/query", "query=" + "a".repeat(QueryApi_MAX + 1), token);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("expected: <= 16384");
  }

  @Test
  void labels_allAndMatched() throws Exception {
    assertThat(get("/api/v1/labels", 200).get("data").toString()).isEqualTo("[\"__name__\",\"code\",\"job\"]");
    JsonNode b = get("/api/v1/labels?match[]=" + TestServer.enc("requests_total{job=\"web\"}"), 200);
    assertThat(b.get("data").toString()).isEqualTo("[\"__name__\",\"code\",\"job\"]");
  }

  @Test
  void labelValues_allAndMatched() throws Exception {
    assertThat(get("/api/v1/label/job/values", 200).get("data").toString()).isEqualTo("[\"api\",\"web\"]");
    assertThat(get("/api/v1/label/code/values?match[]=" + TestServer.enc("{job=\"web\"}"), 200).get("data").toString())
        .isEqualTo("[\"200\"]");
    assertThat(get("/api/v1/label/bad-name/values", 400).get("error").asText()).contains("invalid label name");
  }

  @Test
  void series_matchedSetsSorted() throws Exception {
    JsonNode b = get("/api/v1/series?match[]=" + TestServer.enc("requests_total{code=\"200\"}")
        + "&start=" + T0 / 1000 + "&end=" + (T0 + 600_000) / 1000, 200);
    assertThat(b.get("data")).hasSize(2);
    assertThat(b.at("/data/0/job").asText()).isEqualTo("api");
    assertThat(b.at("/data/1/job").asText()).isEqualTo("web");
    assertThat(get("/api/v1/series", 400).get("error").asText()).isEqualTo("no match[] parameter provided");
    assertThat(get("/api/v1/series?match[]=" + TestServer.enc("rate(x[5m])"), 400).get("error").asText())
        .isEqualTo("invalid parameter \"match[]\": 1:5: parse error: unexpected \"(\""); // as Prometheus 2.42
    assertThat(get("/api/v1/series?match[]=" + TestServer.enc("{job=~\".*\"}"), 400).get("error").asText())
        .contains("non-empty matcher");
  }

  @Test
  void query_timestampsAndErrorsWrittenAsPrometheus() throws Exception {
    HttpResponse<String> r = server.get("/api/v1/query?query=" + TestServer.enc("requests_total{code=\"500\"}")
        + "&time=1700000600", token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"value\":[1700000600,\"300\"]").doesNotContain("E+");
    r = server.get("/api/v1/query?query=1&time=1700000600.5", token);
    assertThat(r.body()).contains("\"result\":[1700000600.5,\"1\"]");
    assertThat(get("/api/v1/query?query=" + TestServer.enc("node_load1{"), 400).get("error").asText())
        .isEqualTo("invalid parameter \"query\": 1:12: parse error: unexpected end of input inside braces");
    assertThat(get("/api/v1/query_range?query=" + TestServer.enc("sum(") + "&start=0&end=1&step=1", 400)
        .get("error").asText()).isEqualTo("1:5: parse error: unclosed left parenthesis"); // no prefix here in 2.42
    JsonNode dup = get("/api/v1/query?query=" + TestServer.enc("requests_total + on(job) requests_total")
        + "&time=" + (T0 + 60_000) / 1000, 422);
    assertThat(dup.get("errorType").asText()).isEqualTo("execution");
    assertThat(dup.get("error").asText()).startsWith("found duplicate series for the match group {job=\"api\"} "
        + "on the right hand-side of the operation: [{__name__=\"requests_total\", code=\"");
  }

  @Test
  void hostileQueries_are4xxNamingTheProblem() throws Exception {
    String nested = "(".repeat(10_000) + "1" + ")".repeat(10_000);
    HttpResponse<String> r = server.postForm("/api/v1/query", "query=" + TestServer.enc(nested), token);
    // 20,000 chars: over the query length limit before the parser sees it.
    assertThat(r.statusCode()).isEqualTo(400);
    String deep = "(".repeat(5_000) + "1" + ")".repeat(5_000);
    JsonNode b = TestServer.JSON.readTree(server.postForm("/api/v1/query", "query=" + TestServer.enc(deep), token).body());
    assertThat(b.get("errorType").asText()).isEqualTo("bad_data");
    assertThat(b.get("error").asText()).contains("nesting depth exceeds the limit of 256");
    JsonNode range = get("/api/v1/query_range?query=up&start=-9.2e15&end=9.2e15&step=1y", 400);
    assertThat(range.get("error").asText()).isEqualTo("exceeded maximum resolution of 11,000 points per "
        + "timeseries. Try decreasing the query resolution (?step=XX)");
    String repl = "$1".repeat(2_000);
    String inner = "label_replace(requests_total, \"a\", \"" + repl + "\", \"job\", \"(.*)\")";
    String q = "label_replace(label_replace(" + inner + ", \"b\", \"" + repl + "\", \"a\", \"(.*)\"), \"c\", \""
        + repl + "\", \"b\", \"(.*)\")";
    JsonNode lr = TestServer.JSON.readTree(server.postForm("/api/v1/query", "query=" + TestServer.enc(q)
        + "&time=" + (T0 + 60_000) / 1000, token).body());
    assertThat(lr.get("errorType").asText()).isEqualTo("execution");
    assertThat(lr.get("error").asText()).contains("label_replace(): the new label value would be 12000000 chars")
        .contains("(expected: <= 65536)");
    assertThat(get("/api/v1/query?query=" + TestServer.enc("count(topk(1e9, requests_total))") + "&time="
        + (T0 + 60_000) / 1000, 200).at("/data/result/0/value/1").asText()).isEqualTo("3");
    assertThat(get("/api/v1/query?query=" + TestServer.enc("{__name__=~\"(.*){15}z\"}"), 200)
        .at("/data/result")).isEmpty();
  }

  @Test
  void timeoutParameter_shortensTheDeadlineNeverLengthensIt() throws Exception {
    String q = "/api/v1/query_range?query=" + TestServer.enc("sum by (job) (rate(requests_total[5m]))")
        + "&start=" + T0 / 1000 + "&end=" + (T0 / 1000 + 10_999) + "&step=1";
    // 11,000 steps cannot be evaluated in a millisecond: Prometheus' timeout error, 503.
    JsonNode b = get(q + "&timeout=0.001", 503);
    assertThat(b.path("errorType").asText()).isEqualTo("timeout");
    assertThat(get(q + "&timeout=10m", 200).at("/data/resultType").asText()).isEqualTo("matrix");
    assertThat(get(q + "&timeout=bogus", 400).path("error").asText())
        .startsWith("invalid parameter \"timeout\": cannot parse \"bogus\" to a valid duration");
  }

  /**
   * The bad-input corpus of issue #6: each answer is a 4xx or 503 in Prometheus' error envelope
   * with a message (or a normal answer where Prometheus answers one), within seconds, never a
   * 500, a stack trace or a hang; afterwards the server is healthy and its heap is bounded.
   */
  @Test
  void badInputCorpus_prometheusEnvelopeAndServerStaysHealthy() throws Exception {
    String t = "&time=" + (T0 + 60_000) / 1000;
    String sel = "requests_total";
    List<String> gets = new ArrayList<>(List.of(
        "/api/v1/query?query=" + TestServer.enc("{__name__=~\"(a+)+b\"}") + t,
        "/api/v1/query?query=" + TestServer.enc("{job=~\"(x+x+)+y\"}") + t,
        "/api/v1/query?query=" + TestServer.enc("requests_total{code=~\"((((.*)*)*)*)*[^2]{1,1000}z\"}") + t,
        "/api/v1/query?query=" + TestServer.enc("{__name__=~\"(.*){1001}\"}") + t,
        "/api/v1/query_range?query=" + sel + "&start=0&end=1000000000&step=0.001",
        "/api/v1/query_range?query=" + sel + "&start=0&end=1000000000&step=1e-300",
        "/api/v1/query_range?query=" + sel + "&start=-9.2e15&end=9.2e15&step=1ms",
        "/api/v1/query_range?query=" + sel + "&start=1&end=2&step=NaN",
        "/api/v1/query_range?query=" + sel + "&start=NaN&end=2&step=1",
        "/api/v1/query?query=" + sel + "&time=1e300", "/api/v1/query?query=" + sel + "&time=-1e20",
        "/api/v1/query?query=" + sel + "&time=Inf", "/api/v1/query?query=" + sel + "&time=9223372036854775807",
        "/api/v1/query?query=" + TestServer.enc(sel + " @ 1e300") + t,
        "/api/v1/query?query=" + TestServer.enc(sel + " offset 99999999999999y") + t,
        "/api/v1/query?query=" + TestServer.enc("rate(" + sel + "[99999999999999y])") + t,
        "/api/v1/query?query=" + TestServer.enc("max_over_time(" + sel + "[10y:1ms])") + t,
        "/api/v1/query?query=" + TestServer.enc("-".repeat(10_000) + "1") + t,
        "/api/v1/query?query=" + TestServer.enc("abs(".repeat(3_000) + sel + ")".repeat(3_000)) + t,
        "/api/v1/query?query=" + TestServer.enc("sum(" + sel + ")" + " + sum(x)".repeat(1_500)) + t,
        "/api/v1/query?query=%FF%FE%FD" + t, "/api/v1/query?query=x%00y" + t,
        "/api/v1/query?query=" + TestServer.enc("x{a=\"\\xff\"}") + t,
        "/api/v1/query?query=" + TestServer.enc(sel) + "&timeout=-1s",
        "/api/v1/series?match[]=" + TestServer.enc("{a=~\".*\"}"),
        "/api/v1/label/" + "a".repeat(5_000) + "/values",
        "/api/v1/format_query?query=" + TestServer.enc("(".repeat(5_000) + "1" + ")".repeat(5_000))));
    StringBuilder many = new StringBuilder("/api/v1/series?");
    for (int i = 0; i < 100; i++) {
      many.append("match[]=up").append(i).append('&');
    }
    gets.add(many.toString());
    gets.add("/api/v1/query?query=" + "z".repeat(70_000)); // over the 64 KiB request line
    for (String url : gets) {
      long start = System.nanoTime();
      HttpResponse<String> r = server.get(url, token);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(ms).as(url).isLessThan(10_000);
      assertEnvelope(url, r);
    }
    // Bodies: 10,000 nested parentheses, a 1 MB query, a 1 MB form of match[].
    for (String body : List.of("query=" + TestServer.enc("(".repeat(10_000) + "1" + ")".repeat(10_000)),
        "query=" + "x".repeat(1_000_000), "match[]=" + "y".repeat(1_000_000))) {
      assertEnvelope("POST " + body.length() + " bytes", server.postForm("/api/v1/query", body, token));
      assertEnvelope("POST " + body.length() + " bytes", server.postForm("/api/v1/series", body, token));
    }
    // Queries Prometheus answers normally must be answered, not refused: no data is no error.
    assertThat(get("/api/v1/query?query=" + TestServer.enc("count_over_time(x[10y])") + t, 200)
        .at("/data/result")).isEmpty();
    assertThat(get("/api/v1/query?query=" + TestServer.enc("count(count_over_time(" + sel + "[10y]))") + t, 200)
        .at("/data/result/0/value/1").asText()).isEqualTo("3");
    assertThat(server.get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/query?query=1&time=1", 200).at("/data/result/1").asText()).isEqualTo("1");
    System.gc();
    long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(used).as("heap in use after the corpus").isLessThan(512L << 20);
  }

  /** A 4xx or 503 with Prometheus' error envelope and a message, or a success envelope. */
  private static void assertEnvelope(String what, HttpResponse<String> r) throws Exception {
    String head = what.length() > 200 ? what.substring(0, 200) + "..." : what;
    assertThat(r.statusCode()).as(head + " -> " + r.body()).isIn(200, 400, 413, 414, 422, 431, 503);
    JsonNode b = TestServer.JSON.readTree(r.body());
    if (r.statusCode() == 200) {
      assertThat(b.path("status").asText()).as(head).isEqualTo("success");
      return;
    }
    assertThat(b.path("status").asText()).as(head + " -> " + r.body()).isEqualTo("error");
    assertThat(b.path("errorType").asText()).as(head).isIn("bad_data", "execution", "timeout", "unavailable");
    assertThat(b.path("error").asText()).as(head).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static final int QueryApi_MAX = 16 * 1024;
}
