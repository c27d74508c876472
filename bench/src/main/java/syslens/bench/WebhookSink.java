package syslens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP listener on loopback that takes Alertmanager webhook payloads (what SysLens's
 * webhook receiver posts) and measures, for each firing alert, the time from the start of the
 * evaluation round that made it fire to its first arrival here (a group's later notifications
 * repeat its alerts; those are not counted again).
 */
final class WebhookSink implements AutoCloseable {
  private static final int MAX_BODY = 8 << 20;
  private final HttpServer http;
  /** Round timestamp (the alerts' startsAt, epoch ms) to the round's start, System.nanoTime(). */
  private final Map<Long, Long> roundStart = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Double> latencyMs = new ConcurrentLinkedQueue<>();
  private final Map<Long, ConcurrentLinkedQueue<Double>> byRound = new ConcurrentHashMap<>();
  /** Alerts (labels and start) seen firing already: a group's later notifications repeat them. */
  private final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicLong posts = new AtomicLong();
  private final AtomicLong alerts = new AtomicLong();
  private final AtomicLong badPosts = new AtomicLong();

  WebhookSink() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    http.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "bench-webhook");
      t.setDaemon(true);
      return t;
    }));
    http.createContext("/hook", ex -> {
      long now = System.nanoTime();
      try (InputStream in = ex.getRequestBody()) {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        int status = body.length > MAX_BODY ? 413 : 200;
        if (status == 200) {
          record(PromApi.JSON.readTree(body), now);
        } else {
          badPosts.incrementAndGet();
        }
        ex.sendResponseHeaders(status, -1);
      } catch (IOException | RuntimeException e) {
        badPosts.incrementAndGet();
        ex.sendResponseHeaders(400, -1);
      } finally {
        ex.close();
      }
    });
    http.start();
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
  }

  void roundStarted(long roundTs, long nanos) {
    roundStart.put(roundTs, nanos);
  }

  private void record(JsonNode payload, long now) {
    posts.incrementAndGet();
    for (JsonNode a : payload.path("alerts")) {
      if (!"firing".equals(a.path("status").asText())) {
        continue;
      }
      if (!seen.add(a.path("labels").toString() + a.path("startsAt").asText())) {
        continue;
      }
      alerts.incrementAndGet();
      long round = Instant.parse(a.path("startsAt").asText()).toEpochMilli();
      Long start = roundStart.get(round);
      if (start != null) {
        latencyMs.add((now - start) / 1e6);
        byRound.computeIfAbsent(round, k -> new ConcurrentLinkedQueue<>()).add((now - start) / 1e6);
      }
    }
  }

  /** The same latencies by round (its timestamp), in round order. */
  java.util.SortedMap<Long, List<Double>> latenciesByRound() {
    java.util.SortedMap<Long, List<Double>> out = new java.util.TreeMap<>();
    byRound.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    return out;
  }

  /** Latencies of firing alerts from rounds marked by {@link #roundStarted}. */
  List<Double> latencies() {
    return new ArrayList<>(latencyMs);
  }

  long posts() {
    return posts.get();
  }

  long firingAlerts() {
    return alerts.get();
  }

  long badPosts() {
    return badPosts.get();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
