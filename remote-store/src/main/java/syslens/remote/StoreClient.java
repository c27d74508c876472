package syslens.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.io.input.BoundedInputStream;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * The store's Prometheus HTTP API, read with bounded answers: raw samples from VictoriaMetrics'
 * {@code /api/v1/export} (JSON lines), or, from a store without it (404: Prometheus, Mimir,
 * Thanos), from an instant query of the selector over the range ({@code sel[Nms]}, which answers
 * the raw samples); label names and values.
 */
final class StoreClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One series' raw samples as the store answered them (not yet sorted or merged). */
  record Exported(Labels labels, long[] timestamps, double[] values) {}

  private final HttpClient http;
  private final URI base;
  private final String authorization;
  private final long maxResponseBytes;
  private final Duration timeout;
  private volatile boolean noExport;
  private volatile boolean noRollups;

  StoreClient(HttpClient http, URI base, String authorization, long maxResponseBytes, Duration timeout) {
    this.http = http;
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.authorization = authorization;
    this.maxResponseBytes = maxResponseBytes;
    this.timeout = timeout;
  }

  /** Raw samples of the series matching {@code selector} in [mint, maxt]. */
  List<Exported> export(String selector, long mint, long maxt) {
    if (!noExport) {
      try (Answer a = post("/api/v1/export", form("match[]", selector, "start", seconds(mint), "end", seconds(maxt)))) {
        if (a.code == 404) {
          noExport = true;
        } else {
          a.requireOk();
          List<Exported> out = new ArrayList<>();
          MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(a.in);
          while (it.hasNextValue()) {
            JsonNode line = it.nextValue();
            out.add(new Exported(labels(line.path("metric")), longs(line.path("timestamps")),
                doubles(line.path("values"))));
          }
          return out;
        }
      } catch (IOException e) {
        throw failure("/api/v1/export", e);
      }
    }
    long range = Math.max(1, maxt - mint);
    try (Answer a = post("/api/v1/query", form("query", selector + "[" + range + "ms]", "time", seconds(maxt)))) {
      return matrix(a.data());
    } catch (IOException e) {
      throw failure("/api/v1/query", e);
    }
  }

  /** Whether the store has VictoriaMetrics' export and rollup functions (not yet known: true). */
  boolean hasRollups() {
    return !noExport && !noRollups;
  }

  /** The store refused a rollup query as a bad request: raw samples from now on. */
  void noRollups() {
    noRollups = true;
  }

  /** An answer with an HTTP status other than 2xx. */
  static final class StatusException extends IOException {
    private static final long serialVersionUID = 1L;
    final int code;

    StatusException(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** {@code query} evaluated at start, start + step, ... end (ms), not aligned or cached by the store. */
  List<Exported> queryRange(String query, long start, long end, long stepMs) {
    try (Answer a = post("/api/v1/query_range", form("query", query, "start", seconds(start), "end", seconds(end),
        "step", stepMs / 1000 + "s", "nocache", "1"))) {
      return matrix(a.data());
    } catch (IOException e) {
      throw failure("/api/v1/query_range", e);
    }
  }

  /** The first statement result of an InfluxQL query on {@code db}, timestamps in ms. */
  JsonNode influx(String db, String q) {
    try (Answer a = post("/query", form("db", db, "q", q, "epoch", "ms"))) {
      JsonNode root;
      try {
        root = JSON.readTree(a.in);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new StatusException(a.code, "HTTP " + a.code + ", not an InfluxDB answer: " + e.getOriginalMessage());
      }
      JsonNode result = root.path("results").path(0);
      String error = root.has("error") ? root.path("error").asText() : result.path("error").asText(null);
      if (a.code / 100 != 2 || error != null) {
        throw new StatusException(a.code, "HTTP " + a.code + ": " + error);
      }
      if (result.path("partial").asBoolean(false)) {
        throw new IOException("InfluxDB cut the answer short (max-row-limit); expected: max-row-limit = 0 in its "
            + "[http] section, or a narrower query");
      }
      return result;
    } catch (IOException e) {
      throw failure("/query", e);
    }
  }

  private static List<Exported> matrix(JsonNode data) {
    List<Exported> out = new ArrayList<>();
    for (JsonNode r : data.path("result")) {
      JsonNode values = r.path("values");
      long[] ts = new long[values.size()];
      double[] vs = new double[values.size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = Math.round(values.get(i).get(0).asDouble() * 1000);
        vs[i] = parseValue(values.get(i).get(1));
      }
      out.add(new Exported(labels(r.path("metric")), ts, vs));
    }
    return out;
  }

  List<String> labelNames(long mint, long maxt) {
    try (Answer a = post("/api/v1/labels", form("start", seconds(mint), "end", seconds(maxt)))) {
      return strings(a.data());
    } catch (IOException e) {
      throw failure("/api/v1/labels", e);
    }
  }

  List<String> labelValues(String name, long mint, long maxt) {
    String path = "/api/v1/label/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/values";
    try (Answer a = get(path + "?" + form("start", seconds(mint), "end", seconds(maxt)))) {
      return strings(a.data());
    } catch (IOException e) {
      throw failure(path, e);
    }
  }

  private StorageException failure(String path, IOException e) {
    return new StorageException("remote store " + base + path + ": " + e.getMessage(), e);
  }

  private Answer post(String path, String form) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)), path);
  }

  private Answer get(String pathAndQuery) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET(), pathAndQuery);
  }

  private Answer send(HttpRequest.Builder b, String path) throws IOException {
    b.timeout(timeout).header("User-Agent", "SysLens/0.1.0");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      return new Answer(r.statusCode(), bounded(r.body(), maxResponseBytes), path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A response being read; its body is bounded. */
  private static final class Answer implements AutoCloseable {
    final int code;
    final InputStream in;
    final String path;

    Answer(int code, InputStream in, String path) {
      this.code = code;
      this.in = in;
      this.path = path;
    }

    void requireOk() throws IOException {
      if (code / 100 != 2) {
        String body = new String(in.readNBytes(1024), StandardCharsets.UTF_8).strip();
        throw new StatusException(code, "HTTP " + code + ": " + body);
      }
    }

    /** The {@code data} of a Prometheus API envelope. */
    JsonNode data() throws IOException {
      JsonNode root;
      try {
        root = JSON.readTree(in);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IOException("HTTP " + code + ", not a Prometheus API answer: " + e.getOriginalMessage(), e);
      }
      if (code / 100 != 2 || !"success".equals(root.path("status").asText())) {
        throw new StatusException(code, "HTTP " + code + ": " + root.path("errorType").asText() + ": "
            + root.path("error").asText());
      }
      return root.path("data");
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** {@code in}, failing a read past {@code max} bytes, so a huge answer cannot fill the heap. */
  private static InputStream bounded(InputStream in, long max) throws IOException {
    return BoundedInputStream.builder().setInputStream(in).setMaxCount(max + 1).setOnMaxCount((limit, count) -> {
      throw new IOException("answer over " + max + " bytes (expected: a narrower selector or range)");
    }).get();
  }

  private static Labels labels(JsonNode metric) {
    Map<String, String> m = new TreeMap<>();
    metric.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
    return Labels.fromMap(m);
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = parseValue(a.get(i));
    }
    return out;
  }

  private static double parseValue(JsonNode v) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    String s = v.asText();
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf", "inf" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  private static List<String> strings(JsonNode data) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : data) {
      out.add(n.asText());
    }
    return out;
  }

  static String seconds(long ms) {
    long t = Math.max(0, ms);
    return (t / 1000) + "." + String.format("%03d", t % 1000);
  }

  static String form(String... kv) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      if (i > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(kv[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

}
