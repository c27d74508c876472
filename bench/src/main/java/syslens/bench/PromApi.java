package syslens.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A client of a Prometheus-compatible HTTP API (SysLens, Prometheus, VictoriaMetrics) on loopback. */
final class PromApi {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Responses larger than this are refused, so a runaway answer cannot exhaust the bench's memory. */
  static final int MAX_BODY = 256 * 1024 * 1024;
  /**
   * HTTP/1.1 to every server, over one kept-alive connection: Prometheus and VictoriaMetrics speak
   * only HTTP/1.1 in cleartext, and the JDK client would otherwise upgrade its plain-HTTP requests
   * to SysLens to HTTP/2 (h2c), so the peers would not be measured through the same protocol.
   */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;
  private final String extraParams;

  /** One query_range call: wall time, and the error (null on success) or the result's series count. */
  record Result(double millis, String error, int series) {}

  PromApi(String base, String token, String extraParams) {
    this.base = requireNonNull(base, "base");
    this.token = token;
    this.extraParams = extraParams == null ? "" : extraParams;
  }

  String base() {
    return base;
  }

  Result queryRange(String query, long startMs, long endMs, long stepMs, Duration timeout) {
    String url = base + "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
        + "&start=" + seconds(startMs) + "&end=" + seconds(endMs) + "&step=" + seconds(stepMs) + extraParams;
    long t0 = System.nanoTime();
    try {
      HttpResponse<byte[]> r = http.send(request(url).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      double ms = (System.nanoTime() - t0) / 1e6;
      if (r.body().length > MAX_BODY) {
        return new Result(ms, "response of " + r.body().length + " bytes (expected: <= " + MAX_BODY + ")", 0);
      }
      JsonNode j;
      try {
        j = JSON.readTree(r.body());
      } catch (IOException e) {
        return new Result(ms, "HTTP " + r.statusCode() + ": " + abbreviate(new String(r.body(), StandardCharsets.UTF_8)), 0);
      }
      if (r.statusCode() != 200 || !"success".equals(j.path("status").asText())) {
        return new Result(ms, "HTTP " + r.statusCode() + ": " + abbreviate(j.path("error").asText(j.toString())), 0);
      }
      return new Result(ms, null, j.path("data").path("result").size());
    } catch (IOException e) {
      return new Result((System.nanoTime() - t0) / 1e6, "request failed: " + e, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result((System.nanoTime() - t0) / 1e6, "interrupted", 0);
    }
  }

  /** GET a path; the body, or an exception naming the status. */
  String get(String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request(base + pathAndQuery).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("GET " + pathAndQuery + ": HTTP " + r.statusCode() + " " + abbreviate(r.body()));
    }
    return r.body();
  }

  /** POST a body; throws naming the status unless 2xx. */
  String post(String path, String contentType, byte[] body, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request(base + path).timeout(timeout).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("POST " + path + ": HTTP " + r.statusCode() + " " + abbreviate(r.body()));
    }
    return r.body();
  }

  /** Polls GET path until it answers 2xx or the child dies or the timeout passes; returns seconds waited. */
  double awaitOk(String path, Child child, Duration timeout) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      child.checkAlive();
      try {
        get(path, Duration.ofSeconds(2));
        return (System.nanoTime() - t0) / 1e9;
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(base + path + " not healthy within " + timeout.toSeconds() + " s (last: " + last
        + "); last lines of " + child.log() + ":\n" + child.tail());
  }

  private HttpRequest.Builder request(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  static String seconds(long ms) {
    return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format("%.3f", ms / 1000.0);
  }

  static String abbreviate(String s) {
    s = s.replace('\n', ' ');
    return s.length() <= 300 ? s : s.substring(0, 297) + "...";
  }

  /** A port free on 127.0.0.1 right now. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }
}
