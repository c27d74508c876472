package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Replays what Grafana 10/11's Prometheus data source sends when a dashboard opens, its variables
 * resolve and the query editor autocompletes, authenticated the two ways a data source can be
 * configured (an API key as bearer token, and basic auth with a user name and the key), and
 * checks each answer's shape and content. The request shapes are Grafana's:
 *
 * <ul>
 *   <li>grafana/grafana {@code pkg/promlib/client/client.go}: {@code QueryRange} posts the form
 *       {@code query, start, end, step} (times {@code strconv.FormatFloat(seconds, 'f', -1)}, step
 *       in float seconds) plus {@code timeout} when the data source has one, {@code QueryInstant}
 *       posts {@code query, time}, {@code QueryExemplars} posts {@code query, start, end}; POST
 *       with {@code application/x-www-form-urlencoded} is the default HTTP method;
 *   <li>{@code packages/grafana-prometheus/src/language_provider.ts} (Grafana 11, before 12's
 *       rewrite): {@code start()} fetches {@code /api/v1/label/__name__/values} with
 *       {@code start, end} (GET, with an {@code X-Grafana-Cache} header), then
 *       {@code /api/v1/metadata} and {@code /api/v1/labels} with {@code start, end}
 *       ({@code metadataRequest} uses the configured method for labels and series);
 *       {@code fetchSeriesValuesWithMatch} sends {@code /api/v1/label/<name>/values} with
 *       {@code match[]}; {@code fetchSeriesLabels} sends {@code /api/v1/series} with
 *       {@code match[]} and {@code limit=40000}; {@code fetchSeriesLabelsMatch} sends
 *       {@code /api/v1/labels} with {@code match[]};
 *   <li>variable queries: {@code label_values(node_load1, instance)} becomes
 *       {@code /api/v1/label/instance/values?match[]=node_load1}, {@code label_names()} becomes
 *       {@code /api/v1/labels}, {@code query_result(...)} an instant query;
 *   <li>the data source's settings page reads {@code /api/v1/status/buildinfo} to detect the
 *       Prometheus type and version.
 * </ul>
 */
class GrafanaReplayTest {
  @TempDir static Path dir;
  static TestServer server;
  static String apiKey;
  /** A key without monitoring:query:read. */
  static String nodeKey;
  static final long T0 = 1_700_000_000_000L;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
    String admin = server.login();
    HttpResponse<String> r = server.post("/api/v1/apikeys",
        "{\"name\":\"grafana\",\"scopes\":[\"monitoring:query:read\"]}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    apiKey = TestServer.JSON.readTree(r.body()).at("/data/key").asText();
    r = server.post("/api/v1/apikeys", "{\"name\":\"nodes\",\"scopes\":[\"monitoring:node:read\"]}", admin);
    nodeKey = TestServer.JSON.readTree(r.body()).at("/data/key").asText();
    Appender app = server.server.tsdb().appender();
    for (int i = 0; i <= 240; i++) {
      long t = T0 + i * 15_000L;
      for (String inst : List.of("a:9100", "b:9100")) {
        app.append(Labels.of("__name__", "node_load1", "instance", inst, "job", "node"), t, 1 + (i % 7) / 4.0);
        app.append(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "instance", inst, "job", "node",
            "mode", "idle"), t, i * 14.5);
        for (String le : List.of("0.1", "1", "+Inf")) {
          app.append(Labels.of("__name__", "http_request_duration_seconds_bucket", "instance", inst, "le", le),
              t, i * (le.equals("0.1") ? 1 : le.equals("1") ? 3 : 4));
        }
        app.append(Labels.of("__name__", "http_request_duration_seconds_count", "instance", inst), t, i * 4);
        app.append(Labels.of("__name__", "http_request_duration_seconds_sum", "instance", inst), t, i * 1.5);
      }
    }
    app.commit();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One configured data source: how it authenticates. */
  private static String authorization(String mode) {
    return mode.equals("bearer") ? "Bearer " + apiKey
        : "Basic " + Base64.getEncoder().encodeToString(("admin:" + apiKey).getBytes(StandardCharsets.UTF_8));
  }

  /** A request as Grafana's backend proxy sends it. */
  private static HttpRequest.Builder grafana(String mode, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(server.base() + pathAndQuery)).timeout(Duration.ofSeconds(30))
        .header("Authorization", authorization(mode))
        .header("User-Agent", "Grafana/11.3.0")
        .header("Accept", "application/json, text/plain, */*")
        .header("X-Grafana-Org-Id", "1")
        .header("X-Datasource-Uid", "syslens-prom")
        .header("X-Dashboard-Uid", "node-exporter-full")
        .header("X-Panel-Id", "2");
  }

  private static JsonNode getOk(String mode, String pathAndQuery) throws Exception {
    HttpResponse<String> r = HTTP.send(grafana(mode, pathAndQuery).header("X-Grafana-Cache", "private, max-age=60")
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    return ok(pathAndQuery, r);
  }

  /** Go's url.Values.Encode(): keys sorted, values escaped. */
  private static JsonNode postFormOk(String mode, String path, Map<String, String> form) throws Exception {
    StringBuilder body = new StringBuilder();
    new TreeMap<>(form).forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(TestServer.enc(k))
        .append('=').append(TestServer.enc(v)));
    HttpResponse<String> r = HTTP.send(grafana(mode, path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    return ok(path + " " + body, r);
  }

  /** The body of the last answer, to check numbers as written (Jackson reads 1.500 as 1.5). */
  private static String lastBody;

  private static JsonNode ok(String what, HttpResponse<String> r) throws Exception {
    lastBody = r.body();
    assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("application/json");
    JsonNode b = TestServer.JSON.readTree(r.body());
    assertThat(b.path("status").asText()).as(what).isEqualTo("success");
    return b.path("data");
  }

  private static List<String> strings(JsonNode array) {
    assertThat(array.isArray()).as(array.toString()).isTrue();
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer", "basic"})
  void dashboardOpenAndQueryEditor_answersAsPrometheus(String mode) throws Exception {
    // The range Grafana shows: the last hour of data; label requests carry whole seconds.
    String start = Long.toString(T0 / 1000);
    String end = Long.toString(T0 / 1000 + 3600);
    String range = "start=" + start + "&end=" + end;

    // Settings page / version detection.
    JsonNode build = getOk(mode, "/api/v1/status/buildinfo");
    assertThat(build.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(build.has("revision")).isTrue();

    // Query editor start(): metric names, metadata, label names.
    List<String> names = strings(getOk(mode, "/api/v1/label/__name__/values?" + range));
    assertThat(names).contains("node_load1", "node_cpu_seconds_total", "http_request_duration_seconds_bucket")
        .isSorted();
    JsonNode metadata = getOk(mode, "/api/v1/metadata");
    assertThat(metadata.path("node_cpu_seconds_total").get(0).path("type").asText()).isEqualTo("counter");
    assertThat(metadata.path("node_load1").get(0).path("type").asText()).isEqualTo("gauge");
    assertThat(metadata.path("http_request_duration_seconds").get(0).path("type").asText()).isEqualTo("histogram");
    assertThat(metadata.has("http_request_duration_seconds_bucket")).isFalse();
    assertThat(metadata.path("node_load1").get(0).has("help")).isTrue();
    assertThat(metadata.path("node_load1").get(0).has("unit")).isTrue();
    assertThat(strings(postFormOk(mode, "/api/v1/labels", Map.of("start", start, "end", end))))
        .containsExactly("__name__", "cpu", "instance", "job", "le", "mode");

    // Autocomplete inside node_load1{|}: label names and values for the metric, then series.
    assertThat(strings(postFormOk(mode, "/api/v1/labels", Map.of("start", start, "end", end,
        "match[]", "node_load1")))).containsExactly("__name__", "instance", "job");
    assertThat(strings(getOk(mode, "/api/v1/label/instance/values?" + range + "&match[]="
        + TestServer.enc("node_load1{job=\"node\"}")))).containsExactly("a:9100", "b:9100");
    JsonNode series = postFormOk(mode, "/api/v1/series", Map.of("start", start, "end", end,
        "match[]", "node_cpu_seconds_total", "limit", "40000"));
    assertThat(series).hasSize(2);
    assertThat(series.get(0).path("__name__").asText()).isEqualTo("node_cpu_seconds_total");
    assertThat(series.get(0).path("mode").asText()).isEqualTo("idle");

    // Dashboard variables: label_values(node_load1, instance), label_names(), metrics(node_.*).
    assertThat(strings(getOk(mode, "/api/v1/label/instance/values?" + range + "&match[]=node_load1")))
        .containsExactly("a:9100", "b:9100");
    assertThat(strings(getOk(mode, "/api/v1/labels?" + range))).contains("instance", "job");
    assertThat(strings(getOk(mode, "/api/v1/label/__name__/values?" + range)))
        .filteredOn(n -> n.matches("node_.*")).containsExactly("node_cpu_seconds_total", "node_load1");

    // Panels: range queries by POST form, as the backend sends them, with a data source timeout.
    JsonNode cpu = postFormOk(mode, "/api/v1/query_range", Map.of("query",
        "sum by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))", "start", "1700000600",
        "end", "1700003600", "step", "60", "timeout", "30s"));
    assertThat(cpu.path("resultType").asText()).isEqualTo("matrix");
    assertThat(cpu.path("result")).hasSize(2);
    JsonNode values = cpu.at("/result/0/values");
    assertThat(values).hasSize(51);
    assertThat(values.get(0).get(0).isIntegralNumber()).isTrue();
    assertThat(values.get(0).get(0).asLong()).isEqualTo(1700000600L);
    assertThat(values.get(0).get(1).isTextual()).isTrue();
    assertThat(Double.parseDouble(values.get(0).get(1).asText())).isCloseTo(14.5 / 15, org.assertj.core.data.Offset.offset(1e-9));
    JsonNode p99 = postFormOk(mode, "/api/v1/query_range", Map.of("query",
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        "start", "1700000600.5", "end", "1700001600.5", "step", "15"));
    assertThat(lastBody).contains("\"values\":[[1700000600.500,\"");
    assertThat(p99.at("/result/0/metric")).isEmpty();

    // Instant queries (stat panels, query_result() variables) and exemplars (always asked).
    JsonNode load = postFormOk(mode, "/api/v1/query", Map.of("query", "node_load1", "time", "1700003600"));
    assertThat(load.path("resultType").asText()).isEqualTo("vector");
    assertThat(load.path("result")).hasSize(2);
    assertThat(load.at("/result/0/value/0").asLong()).isEqualTo(1700003600L);
    assertThat(load.at("/result/0/metric/__name__").asText()).isEqualTo("node_load1");
    JsonNode health = postFormOk(mode, "/api/v1/query", Map.of("query", "1+1", "time", "1700003600.123"));
    assertThat(health.path("resultType").asText()).isEqualTo("scalar");
    assertThat(lastBody).contains("\"result\":[1700003600.123,\"2\"]");
    assertThat(postFormOk(mode, "/api/v1/query_exemplars", Map.of("query", "node_load1", "start", "1700000600",
        "end", "1700003600"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v1/metadata", "/api/v1/query_exemplars?query=up", "/api/v1/format_query?query=up",
      "/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo", "/api/v1/status/flags"})
  void newEndpoints_needAuthenticationAndQueryPermission(String path) throws Exception {
    HttpResponse<String> anonymous = server.get(path, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(TestServer.JSON.readTree(anonymous.body()).path("errorType").asText()).isEqualTo("unauthorized");
    HttpResponse<String> other = server.get(path, nodeKey);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
    assertThat(other.body()).contains("monitoring:query:read");
    assertThat(server.get(path, apiKey).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer", "basic"})
  void badQueryFromPanel_isPrometheusErrorEnvelope(String mode) throws Exception {
    HttpResponse<String> r = HTTP.send(grafana(mode, "/api/v1/query_range")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("end=1700003600&query=" + TestServer.enc("rate(node_load1[5m]")
            + "&start=1700000600&step=60")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode b = TestServer.JSON.readTree(r.body());
    assertThat(b.path("status").asText()).isEqualTo("error");
    assertThat(b.path("errorType").asText()).isEqualTo("bad_data");
    assertThat(b.path("error").asText()).isEqualTo("1:20: parse error: unclosed left parenthesis");
  }
}
