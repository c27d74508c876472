package syslens.remote;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.Appender;
import syslens.storage.Querier;
import syslens.storage.Storage;
import syslens.storage.StorageException;

/**
 * {@link Storage} over a Prometheus-compatible store (VictoriaMetrics, Mimir, Thanos Receive,
 * Prometheus with the remote-write receiver). Writes: a commit is durable on local disk when it
 * returns (the queue, bounded by {@code maxBufferBytes}; full, a commit throws {@link
 * StorageException} and the refused samples are counted) and is sent by one background thread
 * as snappy remote-write 1.0, batched, retried with exponential backoff while the store is down.
 * Reads: through the store's HTTP API ({@code /api/v1/export} for raw samples, {@code
 * /api/v1/labels}, {@code /api/v1/label/<name>/values}), see {@link RemoteQuerier}.
 */
public final class RemoteStorage implements Storage {
  private static final Logger log = LoggerFactory.getLogger("syslens.remote");

  /** How samples are written to the store and read back. */
  public enum Protocol {
    /** Prometheus remote-write 1.0 out, the Prometheus HTTP API in (VictoriaMetrics, Mimir, Thanos). */
    PROMETHEUS,
    /** InfluxDB 1.x: line protocol to {@code /write?db=DB}, InfluxQL from {@code /query}. */
    INFLUXDB
  }

  /** What the store and the buffer did so far (counters since start, gauges now). */
  public record Stats(long pendingBytes, long pendingSamples, long maxBufferBytes, long samplesSent,
      long requestsSent, long bytesSent, long samplesRejected, long samplesRefused, long retries,
      long corruptBytes, long invalidLabels, boolean storeUp, long downsampledSelects, long unrepresentable) {}

  private final DiskQueue queue;
  private final Sender sender;
  private final Thread senderThread;
  private final StoreClient client;
  private final Clock clock;
  private final URI writeUrl;
  final int recordBytes;
  final Protocol protocol;
  private final String database;
  final AtomicLong unrepresentable = new AtomicLong();
  final AtomicLong invalidLabels = new AtomicLong();
  private final AtomicLong downsampledSelects = new AtomicLong();
  private final AtomicLong samplesRefused = new AtomicLong();
  private volatile Instant fullSince;
  private volatile String writeFailure;
  private volatile long lastFullLog;

  private RemoteStorage(Builder b) throws IOException {
    this.clock = b.clock;
    this.writeUrl = b.writeUrl;
    this.recordBytes = b.maxBatchBytes / 4;
    this.protocol = b.protocol;
    this.database = b.protocol == Protocol.INFLUXDB ? influxDatabase(b.writeUrl) : null;
    this.queue = DiskQueue.open(b.bufferDir, b.maxBufferBytes, b.segmentBytes);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.connectTimeout).build();
    this.client = new StoreClient(http, b.readUrl, b.authorization, b.maxResponseBytes, b.readTimeout);
    this.sender = new Sender(queue, http, b.writeUrl, b.protocol == Protocol.INFLUXDB ? Wire.INFLUX : Wire.PROMETHEUS,
        b.authorization, b.maxBatchBytes, b.minBackoff, b.maxBackoff, b.clock);
    this.senderThread = Thread.ofPlatform().name("syslens-remote-write").daemon(true).unstarted(sender);
    if (queue.pendingBytes() > 0) {
      log.info("remote store: {} bytes ({} samples) buffered on disk from before the restart; sending them to {}",
          queue.pendingBytes(), queue.pendingSamples(), writeUrl);
    }
    senderThread.start();
  }

  /**
   * A store that takes remote-write at {@code writeUrl} (e.g. {@code
   * http://vm:8428/api/v1/write}), buffering in {@code bufferDir}.
   */
  public static Builder builder(Path bufferDir, URI writeUrl) {
    return new Builder(bufferDir, writeUrl);
  }

  @Override
  public Appender appender() {
    return new RemoteAppender(this);
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return protocol == Protocol.INFLUXDB ? new InfluxQuerier(client, database, mint, maxt)
        : new RemoteQuerier(client, downsampledSelects, mint, maxt);
  }

  void enqueue(List<WriteRequests.Encoded> records, int samples) throws IOException {
    // Snappy on disk: a commit's series carry one sample each, so labels dominate (4-5x smaller).
    List<WriteRequests.Encoded> compressed = new java.util.ArrayList<>(records.size());
    for (WriteRequests.Encoded r : records) {
      compressed.add(new WriteRequests.Encoded(org.xerial.snappy.Snappy.compress(r.bytes()), r.samples()));
    }
    try {
      queue.append(compressed);
      writeFailure = null;
      if (fullSince != null) {
        log.info("remote store: the local buffer takes writes again (full since {})", fullSince);
        fullSince = null;
      }
    } catch (DiskQueue.FullException e) {
      samplesRefused.addAndGet(samples);
      if (fullSince == null) {
        fullSince = clock.instant();
      }
      long now = clock.millis();
      if (now - lastFullLog >= 60_000) {
        lastFullLog = now;
        log.error("REMOTE STORE BUFFER FULL: {}; refusing writes (senders are told to retry) until {} "
            + "answers again: {} samples refused so far. The store has been failing since {}: {}",
            e.getMessage(), writeUrl, samplesRefused.get(), sender.failingSince(), sender.lastError());
      }
      throw new StorageException("remote store " + writeUrl + " unreachable and the " + e.getMessage()
          + " (expected: the store to answer; retry later)", e);
    } catch (IOException e) {
      writeFailure = e.toString();
      throw e;
    }
  }

  /**
   * Why writes cannot be promised now (the local buffer is full or its disk fails), or null:
   * what {@code /readyz} reports.
   */
  public String problem() {
    String f = writeFailure;
    if (f != null) {
      return "remote store: local buffer write failed: " + f;
    }
    if (fullSince != null && queue.pendingBytes() > queue.maxBytes() / 10 * 9) {
      return "remote store: local buffer full since " + fullSince + " (" + queue.pendingBytes() + " of "
          + queue.maxBytes() + " bytes); " + writeUrl + " failing since " + sender.failingSince() + ": "
          + sender.lastError();
    }
    return null;
  }

  /**
   * Why the store is not taking writes now while the buffer still has room (they are kept and
   * sent later), or null while it takes them.
   */
  public String degraded() {
    Instant since = sender.failingSince();
    if (since == null) {
      return null;
    }
    return "remote store " + writeUrl + " failing since " + since + ": " + sender.lastError() + "; "
        + queue.pendingBytes() + " of " + queue.maxBytes() + " bytes buffered on local disk";
  }

  public Stats stats() {
    return new Stats(queue.pendingBytes(), queue.pendingSamples(), queue.maxBytes(), sender.samplesSent.get(),
        sender.requestsSent.get(), sender.bytesSent.get(), sender.samplesRejected.get(), samplesRefused.get(),
        sender.retries.get(), queue.corruptBytes(), invalidLabels.get(), sender.failingSince() == null,
        downsampledSelects.get(), unrepresentable.get());
  }

  /** Where samples go. */
  public URI writeUrl() {
    return writeUrl;
  }

  /**
   * Stops sending (what is not sent stays on disk for the next start) and closes the buffer.
   */
  @Override
  public void close() {
    sender.stop();
    senderThread.interrupt();
    try {
      senderThread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
  }

  /** The {@code db} parameter of an InfluxDB write URL ({@code http://influx:8086/write?db=syslens}). */
  static String influxDatabase(URI writeUrl) {
    String q = writeUrl.getRawQuery();
    if (q != null) {
      for (String kv : q.split("&")) {
        if (kv.startsWith("db=") && kv.length() > 3) {
          return java.net.URLDecoder.decode(kv.substring(3), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
    }
    throw new IllegalArgumentException("influxdb write url: " + writeUrl
        + " (expected: http://HOST:8086/write?db=DATABASE&precision=ms)");
  }

  /** Settings with defaults for a single store on a LAN. */
  public static final class Builder {
    private final Path bufferDir;
    private final URI writeUrl;
    private URI readUrl;
    private long maxBufferBytes = 1L << 30;
    private long segmentBytes = 64L << 20;
    private int maxBatchBytes = 4 << 20;
    private long maxResponseBytes = 256L << 20;
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration readTimeout = Duration.ofMinutes(2);
    private String authorization;
    private Clock clock = Clock.systemUTC();
    private Protocol protocol = Protocol.PROMETHEUS;

    private Builder(Path bufferDir, URI writeUrl) {
      this.bufferDir = requireNonNull(bufferDir, "bufferDir");
      this.writeUrl = checkUrl("write url", requireNonNull(writeUrl, "writeUrl"));
      this.readUrl = defaultReadUrl(writeUrl);
    }

    /**
     * The base of the store's Prometheus HTTP API (the URL before {@code /api/v1/...}); default:
     * the write URL without {@code /api/v1/write} (VictoriaMetrics single, Prometheus).
     */
    public Builder readUrl(URI url) {
      this.readUrl = checkUrl("read url", requireNonNull(url, "readUrl"));
      return this;
    }

    /**
     * How to talk to the store; default {@link Protocol#PROMETHEUS}. For {@link Protocol#INFLUXDB}
     * the write URL is {@code http://HOST:8086/write?db=DB&precision=ms} and reads go to the same
     * host's {@code /query}.
     */
    public Builder protocol(Protocol p) {
      this.protocol = requireNonNull(p, "protocol");
      if (p == Protocol.INFLUXDB) {
        influxDatabase(writeUrl);
        if (!writeUrl.toString().contains("precision=ms")) {
          throw new IllegalArgumentException("influxdb write url: " + writeUrl
              + " (expected: precision=ms among its parameters: SysLens writes millisecond timestamps)");
        }
        this.readUrl = URI.create(writeUrl.getScheme() + "://" + writeUrl.getRawAuthority());
      }
      return this;
    }

    /** The most bytes buffered on local disk while the store is down; default 1 GiB. */
    public Builder maxBufferBytes(long bytes) {
      if (bytes < 1024 * 1024) {
        throw new IllegalArgumentException("storage buffer: " + bytes + " bytes (expected: >= 1 MiB)");
      }
      this.maxBufferBytes = bytes;
      this.segmentBytes = Math.min(segmentBytes, Math.max(4096, bytes / 8));
      return this;
    }

    /** Uncompressed bytes per remote-write request; default 4 MiB. */
    public Builder maxBatchBytes(int bytes) {
      if (bytes < 4096 || bytes > 32 << 20) {
        throw new IllegalArgumentException("batch: " + bytes + " bytes (expected: 4 KiB..32 MiB)");
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /** The largest answer read from the store's query API; default 256 MiB. */
    public Builder maxResponseBytes(long bytes) {
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Retry delays after a failed send: doubling from {@code min} to {@code max}. */
    public Builder backoff(Duration min, Duration max) {
      if (min.toMillis() < 1 || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff: " + min + ".." + max + " (expected: 1 ms <= min <= max)");
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** The value of the {@code Authorization} header sent to the store (never logged), or null. */
    public Builder authorization(String value) {
      this.authorization = value == null || value.isBlank() ? null : value;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public RemoteStorage build() throws IOException {
      return new RemoteStorage(this);
    }

    private static URI defaultReadUrl(URI write) {
      String s = write.toString();
      for (String suffix : List.of("/api/v1/write", "/api/v1/push")) {
        if (s.endsWith(suffix)) {
          return URI.create(s.substring(0, s.length() - suffix.length()));
        }
      }
      return URI.create(write.getScheme() + "://" + write.getRawAuthority());
    }

    private static URI checkUrl(String what, URI u) {
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException(what + ": " + u + " (expected: http:// or https://HOST[:PORT]/PATH)");
      }
      if (u.getRawUserInfo() != null) {
        throw new IllegalArgumentException(what + ": credentials in the URL (expected: none; pass them "
            + "as SYSLENS_STORAGE_AUTHORIZATION so they are never logged)");
      }
      return u;
    }
  }
}
