package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;
import syslens.ingest.prompb.Label;
import syslens.ingest.prompb.Sample;
import syslens.ingest.prompb.TimeSeries;
import syslens.ingest.prompb.WriteRequest;
import syslens.server.ingest.HttpIngestLimits;

/**
 * The HTTP ingest doors on a real server: remote-write with a malformed and hostile corpus (each
 * answered 4xx with a message, nothing stored, the heap bounded) and the text import endpoint.
 */
class HttpIngestTest {
  static final int KIB = 1024;
  @TempDir static Path dir;
  static TestServer server;
  static String admin;
  static String writer;
  static String reader;
  /**
   * HTTP/1.1, as Prometheus's remote-write sender speaks it over plain HTTP; the JDK client's h2c
   * stream can lose the 413 of an oversized body to the stream reset that follows it.
   */
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final long NOW = System.currentTimeMillis() / 1000 * 1000;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10), null,
        b -> b.ingestLimits(new HttpIngestLimits(256 * KIB, 4 * 1024 * KIB, 64 * KIB)));
    admin = server.login();
    writer = key("monitoring:metrics:write");
    reader = key("monitoring:query:read");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String key(String scope) throws Exception {
    HttpResponse<String> r = server.post("/api/v1/apikeys", "{\"name\":\"k-" + scope.replace(':', '-')
        + "\",\"scopes\":[\"" + scope + "\"]}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.JSON.readTree(r.body()).at("/data/key").asText();
  }

  static HttpResponse<String> post(String path, byte[] body, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static TimeSeries series(String name, String job, double v, String... labels) {
    TimeSeries.Builder b = TimeSeries.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addLabels(Label.newBuilder().setName("job").setValue(job));
    for (int i = 0; i < labels.length; i += 2) {
      b.addLabels(Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
    }
    return b.addSamples(Sample.newBuilder().setTimestamp(NOW).setValue(v)).build();
  }

  static byte[] snappy(TimeSeries... s) throws Exception {
    return Snappy.compress(WriteRequest.newBuilder().addAllTimeseries(List.of(s)).build().toByteArray());
  }

  static JsonNode query(String q) throws Exception {
    return TestServer.JSON.readTree(server.get("/api/v1/query?query=" + TestServer.enc(q) + "&time="
        + (NOW / 1000.0 + 1), admin).body());
  }

  record Case(String what, byte[] body, String bearer, int status, String message) {}

  @Test
  void remoteWrite_malformedCorpus_4xxWithMessage_nothingStored() throws Exception {
    byte[] zeros = new byte[4608 * KIB];
    List<Case> corpus = List.of(
        new Case("not snappy", "hello, not snappy".getBytes(), writer, 400, "snappy"),
        new Case("snappy, not protobuf", Snappy.compress(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, 0x7f, 1}),
            writer, 400, "not a protobuf WriteRequest"),
        new Case("header claims 2 GiB", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0},
            writer, 400, "decompressed body: 2147483647 bytes (expected: <= 4194304)"),
        new Case("decompresses past the limit", Snappy.compress(zeros), writer, 400, "decompressed body: 4718592"),
        new Case("compressed past the limit", new byte[300 * KIB], writer, 413, "at most 262144 bytes"),
        new Case("invalid metric name", snappy(series("bad-name!", "corpus", 1)), writer, 400, "metric name"),
        new Case("invalid label name", snappy(series("m", "corpus", 1, "a-b", "x")), writer, 400, "label name"),
        new Case("reserved label", snappy(series("m", "corpus", 1, "__meta_x", "x")), writer, 400,
            "label name \"__meta_x\" is reserved"),
        new Case("one bad series spoils the request", snappy(series("good", "corpus", 1),
            series("m", "corpus", 1, "__tmp", "y")), writer, 400, "series 1: label name \"__tmp\" is reserved"),
        new Case("duplicate label", snappy(series("m", "corpus", 1, "job", "again")), writer, 400,
            "duplicate label name \"job\""),
        new Case("no credentials", snappy(series("m", "corpus", 1)), null, 401, "missing credentials"),
        new Case("wrong key", snappy(series("m", "corpus", 1)), "slk_not_a_key", 401, "invalid"),
        new Case("read-only key", snappy(series("m", "corpus", 1)), reader, 403, "monitoring:metrics:write"));
    for (Case c : corpus) {
      HttpResponse<String> r = post("/api/v1/write", c.body(), c.bearer());
      assertThat(r.statusCode()).as(c.what() + ": " + r.body()).isEqualTo(c.status());
      assertThat(r.headers().firstValue("content-type").orElse("")).as(c.what() + ": " + r.body())
          .startsWith("application/json");
      JsonNode body = TestServer.JSON.readTree(r.body());
      assertThat(body.path("status").asText()).as(c.what()).isEqualTo("error");
      assertThat(body.path("error").asText()).as(c.what()).contains(c.message());
    }
    assertThat(query("{job=\"corpus\"}").at("/data/result").size()).as("nothing stored").isZero();
  }

  static TimeSeries at(String name, long t, double v) {
    return TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addLabels(Label.newBuilder().setName("job").setValue("ooo"))
        .addSamples(Sample.newBuilder().setTimestamp(t).setValue(v)).build();
  }

  @Test
  void remoteWrite_outOfOrderSample_400NamingIt_othersStored_identicalResendAccepted() throws Exception {
    assertThat(post("/api/v1/write", snappy(at("o_late", NOW, 1)), writer).statusCode()).isEqualTo(204);
    // Resending the same sample (a retry after a lost response) is not an error.
    assertThat(post("/api/v1/write", snappy(at("o_late", NOW, 1)), writer).statusCode()).isEqualTo(204);
    HttpResponse<String> r = post("/api/v1/write", snappy(at("o_late", NOW - 60_000, 2), at("o_fresh", NOW, 3),
        at("o_late", NOW, 4)), writer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.JSON.readTree(r.body()).path("error").asText())
        .contains("out of order sample: 2 samples refused (out_of_order: 1, duplicate_timestamp: 1")
        .contains("1 samples stored");
    assertThat(query("o_fresh").at("/data/result/0/value/1").asText()).isEqualTo("3");
    assertThat(query("o_late").at("/data/result/0/value/1").asText()).as("the stored value stands").isEqualTo("1");
  }

  @Test
  void remoteWrite_nanInfAndStaleMarker_storedAsSent() throws Exception {
    double stale = Double.longBitsToDouble(0x7ff0000000000002L);
    HttpResponse<String> r = post("/api/v1/write", snappy(series("v_nan", "values", Double.NaN),
        series("v_inf", "values", Double.POSITIVE_INFINITY), series("v_stale", "values", stale)), writer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    assertThat(query("v_nan").at("/data/result/0/value/1").asText()).isEqualTo("NaN");
    assertThat(query("v_inf").at("/data/result/0/value/1").asText()).isEqualTo("+Inf");
    assertThat(query("v_stale").at("/data/result").size()).as("a stale marker hides the series").isZero();
  }

  @Test
  void remoteWrite_burstOfLargeBodies_refusedWithoutFillingTheHeap() throws Exception {
    // Each decompresses to just under the limit (4 MiB of zeros: not a WriteRequest): at most two
    // are decoded at once, the others get 503 (retry), none takes the heap with it.
    byte[] body = Snappy.compress(new byte[4 * 1024 * KIB - 16]);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      all.add(CompletableFuture.supplyAsync(() -> {
        try {
          return post("/api/v1/write", body, writer);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertThat(f.join().statusCode()).isIn(400, 503);
    }
    System.gc();
    Runtime rt = Runtime.getRuntime();
    assertThat(rt.totalMemory() - rt.freeMemory()).as("heap in use after the burst").isLessThan(400L * 1024 * KIB);
    assertThat(server.get("/healthz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void import_textWithAndWithoutTimestamps_queryableWithExtraLabels() throws Exception {
    String text = "# TYPE imported_total counter\n"
        + "imported_total{kind=\"a\"} 1 " + (NOW - 2000) + "\n"
        + "imported_total{kind=\"a\"} 2 " + (NOW - 1000) + "\n"
        + "imported_now 7\n";
    HttpResponse<String> r = server.post("/api/v1/import/prometheus?extra_label=job=backfill&extra_label=dc=x1",
        text, writer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.JSON.readTree(r.body()).at("/data/accepted").asInt()).isEqualTo(3);
    JsonNode range = server.queryRange(admin, "imported_total", NOW - 2000, NOW - 1000, "1s");
    assertThat(range.at("/data/result/0/metric/job").asText()).isEqualTo("backfill");
    assertThat(range.at("/data/result/0/metric/dc").asText()).isEqualTo("x1");
    assertThat(range.at("/data/result/0/values").size()).isEqualTo(2);
    JsonNode now = TestServer.JSON.readTree(server.get("/api/v1/query?query=imported_now", admin).body());
    assertThat(now.at("/data/result/0/value/1").asText()).isEqualTo("7");
  }

  @Test
  void import_malformedLines_400NamingTheLines_nothingStored() throws Exception {
    String text = "fine_metric 1\nbroken{a=\"1\" 2\nfine_metric 2 x\n";
    HttpResponse<String> r = server.post("/api/v1/import/prometheus", text, writer);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = TestServer.JSON.readTree(r.body());
    assertThat(body.path("errorType").asText()).isEqualTo("bad_data");
    assertThat(body.path("error").asText()).contains("line 2: ").contains("line 3: timestamp \"x\"")
        .doesNotContain("line 1");
    assertThat(query("fine_metric").at("/data/result").size()).isZero();

    HttpResponse<String> badExtra = server.post("/api/v1/import/prometheus?extra_label=__x=1", "m 1\n", writer);
    assertThat(badExtra.statusCode()).isEqualTo(400);
    assertThat(badExtra.body()).contains("extra_label");
    HttpResponse<String> tooBig = server.post("/api/v1/import/prometheus", "m 1\n".repeat(20_000), writer);
    assertThat(tooBig.statusCode()).isEqualTo(413);
  }
}
