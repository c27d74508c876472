package syslens.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * Sends the disk queue to the store, oldest first: batches of records (concatenated requests are
 * one request), compressed and POSTed as the {@link Wire} says (remote-write 1.0, or InfluxDB
 * line protocol). 2xx acknowledges the batch; 429,
 * 5xx and network errors are retried with exponential backoff (doubling from {@code minBackoff}
 * to {@code maxBackoff}, the batch kept on disk); any other 4xx means the store will never take it
 * (as Prometheus does, the batch is dropped, counted and logged).
 */
final class Sender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger("syslens.remote");

  private final DiskQueue queue;
  private final HttpClient http;
  private final URI writeUrl;
  private final String authorization;
  private final Wire wire;
  private final int maxBatchBytes;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private volatile boolean stopping;

  final AtomicLong samplesSent = new AtomicLong();
  final AtomicLong requestsSent = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong samplesRejected = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  private volatile Instant failingSince;
  private volatile String lastError;

  Sender(DiskQueue queue, HttpClient http, URI writeUrl, Wire wire, String authorization, int maxBatchBytes,
      Duration minBackoff, Duration maxBackoff, Clock clock) {
    this.wire = wire;
    this.queue = queue;
    this.http = http;
    this.writeUrl = writeUrl;
    this.authorization = authorization;
    this.maxBatchBytes = maxBatchBytes;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.clock = clock;
  }

  /** When the store stopped answering (null while it answers). */
  Instant failingSince() {
    return failingSince;
  }

  /** Why the last send failed (null after a success). */
  String lastError() {
    return lastError;
  }

  void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    long backoff = minBackoff.toMillis();
    while (!stopping) {
      try {
        long from = queue.ackedPosition();
        if (!queue.await(from, 1000)) {
          continue;
        }
        DiskQueue.Batch b = queue.read(from, maxBatchBytes);
        if (b.corruptBytes() > 0) {
          queue.addCorrupt(b.corruptBytes());
        }
        if (b.isEmpty()) {
          queue.ack(b.end(), 0);
          continue;
        }
        Outcome o = send(b);
        switch (o) {
          case SENT -> {
            samplesSent.addAndGet(b.samples());
            queue.ack(b.end(), b.samples());
            if (failingSince != null) {
              log.info("remote store {} answers again (failing since {}); {} bytes still buffered",
                  writeUrl, failingSince, queue.pendingBytes());
            }
            failingSince = null;
            lastError = null;
            backoff = minBackoff.toMillis();
          }
          case REJECTED -> {
            samplesRejected.addAndGet(b.samples());
            queue.ack(b.end(), b.samples());
            backoff = minBackoff.toMillis();
          }
          case RETRY -> {
            retries.incrementAndGet();
            sleep(backoff);
            backoff = Math.min(backoff * 2, maxBackoff.toMillis());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        // A disk problem reading the queue: say so, wait, try again.
        lastError = "reading the local buffer: " + e;
        log.error("remote store: reading the local buffer failed: {}", e.toString());
        try {
          sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
      }
    }
  }

  private enum Outcome { SENT, RETRY, REJECTED }

  private Outcome send(DiskQueue.Batch b) throws InterruptedException, IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(b.bytes());
    for (byte[] p : b.payloads()) {
      // Each record is snappy-compressed on disk; its CRC was checked when it was read.
      if (!Snappy.isValidCompressedBuffer(p)) {
        log.error("remote store: a buffer record of {} bytes is not snappy-compressed; skipped", p.length);
        queue.addCorrupt(p.length);
        continue;
      }
      raw.write(Snappy.uncompress(p));
    }
    byte[] body = wire.compressor().compress(raw.toByteArray());
    HttpRequest.Builder req = HttpRequest.newBuilder(writeUrl)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", wire.contentType())
        .header("Content-Encoding", wire.contentEncoding())
        .header("User-Agent", "SysLens/0.1.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    wire.headers().forEach(req::header);
    if (authorization != null) {
      req.header("Authorization", authorization);
    }
    int code;
    String answer;
    try {
      HttpResponse<java.io.InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      code = resp.statusCode();
      try (java.io.InputStream in = resp.body()) {
        // At most 4 KiB of the answer is read (it only goes into a log line).
        answer = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      failed("POST " + writeUrl + ": " + e);
      return Outcome.RETRY;
    }
    if (code / 100 == 2) {
      requestsSent.incrementAndGet();
      bytesSent.addAndGet(body.length);
      return Outcome.SENT;
    }
    String why = "POST " + writeUrl + ": HTTP " + code + " " + abbreviate(answer);
    if (code == 429 || code / 100 == 5) {
      failed(why);
      return Outcome.RETRY;
    }
    log.error("remote store refused {} samples for good ({}); dropped, as Prometheus does for a 4xx", b.samples(), why);
    return Outcome.REJECTED;
  }

  private void failed(String why) {
    if (failingSince == null) {
      failingSince = clock.instant();
      log.error("remote store unreachable: {}; buffering on local disk ({} bytes pending) and retrying", why,
          queue.pendingBytes());
    }
    lastError = why;
  }

  private void sleep(long millis) throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!stopping) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(left / 1_000_000 + 1, 100));
    }
  }

  private static String abbreviate(String s) {
    s = s == null ? "" : s.strip();
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
