package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SysLens against Debian's Prometheus 2.42 on the same data ({@link ParityData}: promtool-built
 * blocks for Prometheus, the storage appender for SysLens), through both HTTP APIs: query results
 * (values within 1e-9 relative, identical label sets, order where Prometheus sorts), parse and
 * parameter errors, format_query and the metadata endpoints.
 */
class PrometheusParityTest {
  @TempDir static Path dir;
  static PrometheusPeer prom;
  static TestServer server;
  static String token;

  /** Instant evaluation times: mid-data, unaligned, after the data (lookback), before it. */
  static final List<String> TIMES = List.of("1700001800", "1700002832.5", "1700003720", "1699999940");

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    ParityData data = new ParityData();
    prom = PrometheusPeer.start(Files.createDirectories(dir.resolve("prom")), data.openMetrics());
    long t1 = System.nanoTime();
    server = new TestServer(Files.createDirectories(dir.resolve("syslens")), Duration.ofSeconds(10));
    token = server.login();
    long t2 = System.nanoTime();
    data.appendTo(server.server.tsdb().appender());
    System.out.printf("parity setup: %d samples; prometheus ready in %d ms, syslens started in %d ms, loaded in %d ms%n",
        data.sampleCount(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (prom != null) {
      prom.close();
    }
  }

  private static HttpResponse<String> syslens(String pathAndQuery) throws Exception {
    return server.get(pathAndQuery, token);
  }

  @Test
  void queries_sameResultsAsPrometheus() throws Exception {
    List<String> queries = ParityQueries.all();
    assertThat(queries).hasSizeGreaterThanOrEqualTo(200);
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    int identicalBodies = 0;
    for (int i = 0; i < queries.size(); i++) {
      String q = queries.get(i);
      List<String> urls = new ArrayList<>();
      for (String t : TIMES) {
        urls.add("/api/v1/query?query=" + TestServer.enc(q) + "&time=" + t);
      }
      urls.add("/api/v1/query_range?query=" + TestServer.enc(q) + "&start=1700000300&end=1700003600&step=60");
      if (i % 4 == 0) {
        urls.add("/api/v1/query_range?query=" + TestServer.enc(q) + "&start=1700000000&end=1700001800&step=17");
      }
      for (String url : urls) {
        HttpResponse<String> p = prom.get(url);
        HttpResponse<String> s = syslens(url);
        compared++;
        String d = compare(q, p, s);
        if (d != null) {
          diffs.add(url + "\n    " + d);
        } else if (p.body().equals(s.body())) {
          identicalBodies++;
        }
      }
    }
    System.out.printf("differential: %d queries, %d requests compared, %d byte-identical bodies, %d differences%n",
        queries.size(), compared, identicalBodies, diffs.size());
    diffs.forEach(d -> System.out.println("  DIFF " + d));
    assertThat(diffs).isEmpty();
  }

  /** Malformed queries: the same status, error type and message (position included). */
  @Test
  void parseErrors_sameAsPrometheus() throws Exception {
    List<String> urls = ParityCorpus.malformed().stream()
        .map(q -> "/api/v1/query?time=1700001800&query=" + TestServer.enc(q)).toList();
    assertThat(differences("parse errors", urls, PrometheusParityTest::sameJson)).isEmpty();
  }

  /**
   * Bad parameters of every endpoint: the same status and error type, and SysLens' message begins
   * with Prometheus' (it may add what it expected).
   */
  @Test
  void parameterErrors_sameAsPrometheus() throws Exception {
    assertThat(differences("parameter errors", ParityCorpus.badParameters(), (p, s) -> {
      JsonNode pb = TestServer.JSON.readTree(p.body());
      JsonNode sb = TestServer.JSON.readTree(s.body());
      return p.statusCode() == s.statusCode() && pb.path("status").equals(sb.path("status"))
          && pb.path("errorType").equals(sb.path("errorType"))
          && sb.path("error").asText().startsWith(pb.path("error").asText())
          && (!pb.path("status").asText().equals("success") || pb.path("data").equals(sb.path("data")));
    })).isEmpty();
  }

  /** The canonical text of every differential query and of some tricky ones. */
  @Test
  void formatQuery_sameAsPrometheus() throws Exception {
    List<String> queries = new ArrayList<>(ParityQueries.all());
    queries.addAll(ParityCorpus.toFormat());
    List<String> urls = queries.stream().map(q -> "/api/v1/format_query?query=" + TestServer.enc(q)).toList();
    assertThat(differences("format_query", urls, PrometheusParityTest::sameJson)).isEmpty();
  }

  /** Label names, values and series: the same data; exemplars: both empty. */
  @Test
  void metadataEndpoints_sameAsPrometheus() throws Exception {
    assertThat(differences("metadata endpoints", ParityCorpus.metadataRequests(), PrometheusParityTest::sameJson))
        .isEmpty();
  }

  /**
   * {@code /api/v1/metadata}: promtool's blocks carry no metadata, so Prometheus answers an empty
   * object of the same shape; SysLens infers each type from the names.
   */
  @Test
  void metricMetadata_typesInferredInPrometheusShape() throws Exception {
    JsonNode p = TestServer.JSON.readTree(prom.get("/api/v1/metadata").body());
    assertThat(p.path("status").asText()).isEqualTo("success");
    assertThat(p.path("data").isObject()).isTrue();
    JsonNode s = TestServer.JSON.readTree(syslens("/api/v1/metadata").body()).path("data");
    assertThat(s.path("http_requests_total").get(0).path("type").asText()).isEqualTo("counter");
    assertThat(s.path("node_load1").get(0).path("type").asText()).isEqualTo("gauge");
    assertThat(s.path("request_duration_seconds").get(0).path("type").asText()).isEqualTo("histogram");
    assertThat(s.path("rpc_latency_seconds").get(0).path("type").asText()).isEqualTo("summary");
    assertThat(s.has("request_duration_seconds_bucket") || s.has("request_duration_seconds_sum")
        || s.has("rpc_latency_seconds_count")).isFalse();
    assertThat(s.path("node_load1").get(0).path("help").asText()).isEmpty();
    assertThat(TestServer.JSON.readTree(syslens("/api/v1/metadata?limit=2").body()).path("data")).hasSize(2);
    JsonNode one = TestServer.JSON.readTree(syslens("/api/v1/metadata?metric=node_load1").body()).path("data");
    assertThat(one.size()).isEqualTo(1);
    assertThat(one.has("node_load1")).isTrue();
  }

  private interface Same {
    boolean test(HttpResponse<String> prometheus, HttpResponse<String> syslens) throws Exception;
  }

  /** Sends each request to both, prints and returns the ones whose answers differ. */
  private static List<String> differences(String what, List<String> urls, Same same) throws Exception {
    List<String> diffs = new ArrayList<>();
    for (String url : urls) {
      HttpResponse<String> p = prom.get(url);
      HttpResponse<String> s = syslens(url);
      if (!same.test(p, s)) {
        diffs.add(url + "\n    " + p.statusCode() + " " + p.body() + "\n    " + s.statusCode() + " " + s.body());
      }
    }
    System.out.printf("%s: %d requests, %d differences%n", what, urls.size(), diffs.size());
    diffs.forEach(d -> System.out.println("  DIFF " + d));
    return diffs;
  }

  /**
   * Same status code and the same JSON (Go escapes {@code <>&} as {@code \\u003c} etc., which
   * is the same JSON string).
   */
  private static boolean sameJson(HttpResponse<String> p, HttpResponse<String> s) throws Exception {
    return p.statusCode() == s.statusCode()
        && TestServer.JSON.readTree(p.body()).equals(TestServer.JSON.readTree(s.body()));
  }

  /** Null when both answers agree, else what differs. */
  private static String compare(String q, HttpResponse<String> p, HttpResponse<String> s) throws Exception {
    JsonNode pb = TestServer.JSON.readTree(p.body());
    JsonNode sb = TestServer.JSON.readTree(s.body());
    if (p.statusCode() != s.statusCode() || !pb.path("status").equals(sb.path("status"))) {
      return "status " + p.statusCode() + " " + p.body() + " vs " + s.statusCode() + " " + s.body();
    }
    if (pb.path("status").asText().equals("error")) {
      return pb.path("errorType").equals(sb.path("errorType")) ? null
          : "errorType " + pb.path("errorType") + " vs " + sb.path("errorType");
    }
    JsonNode pd = pb.path("data");
    JsonNode sd = sb.path("data");
    if (!pd.path("resultType").equals(sd.path("resultType"))) {
      return "resultType " + pd.path("resultType") + " vs " + sd.path("resultType");
    }
    String type = pd.path("resultType").asText();
    if (type.equals("scalar") || type.equals("string")) {
      return samePoint(pd.path("result"), sd.path("result")) ? null : "value " + pd.path("result") + " vs " + sd.path("result");
    }
    String field = type.equals("vector") ? "value" : "values";
    Map<String, JsonNode> pm = bySeries(pd.path("result"), field);
    Map<String, JsonNode> sm = bySeries(sd.path("result"), field);
    if (!pm.keySet().equals(sm.keySet())) {
      return "series " + pm.keySet() + " vs " + sm.keySet();
    }
    for (Map.Entry<String, JsonNode> e : pm.entrySet()) {
      JsonNode a = e.getValue();
      JsonNode b = sm.get(e.getKey());
      if (type.equals("vector")) {
        if (!samePoint(a, b)) {
          return e.getKey() + " " + a + " vs " + b;
        }
      } else {
        if (a.size() != b.size()) {
          return e.getKey() + " " + a.size() + " points vs " + b.size() + ": " + a + " vs " + b;
        }
        for (int k = 0; k < a.size(); k++) {
          if (!samePoint(a.get(k), b.get(k))) {
            return e.getKey() + " point " + k + " " + a.get(k) + " vs " + b.get(k);
          }
        }
      }
    }
    // Prometheus guarantees order only for sort() and sort_desc() at the top of an instant query.
    if (type.equals("vector") && (q.startsWith("sort(") || q.startsWith("sort_desc("))) {
      List<String> po = new ArrayList<>(pm.keySet());
      List<String> so = new ArrayList<>(sm.keySet());
      if (!po.equals(so)) {
        return "order " + po + " vs " + so;
      }
    }
    return null;
  }

  /** Series of a vector or matrix by their label set, in the answer's order. */
  private static Map<String, JsonNode> bySeries(JsonNode result, String field) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode e : result) {
      Map<String, String> labels = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = e.path("metric").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> l = it.next();
        labels.put(l.getKey(), l.getValue().asText());
      }
      out.put(labels.toString(), e.path(field));
    }
    return out;
  }

  private static boolean samePoint(JsonNode a, JsonNode b) {
    return a.get(0).decimalValue().compareTo(b.get(0).decimalValue()) == 0
        && sameValue(a.get(1).asText(), b.get(1).asText());
  }

  static boolean sameValue(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    double x = parse(a);
    double y = parse(b);
    if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) {
      return Double.compare(x, y) == 0;
    }
    return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  }

  private static double parse(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }
}
