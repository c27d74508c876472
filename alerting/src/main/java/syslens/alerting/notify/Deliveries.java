package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.Model.Notification;
import syslens.alerting.notify.NotifyConfig.Receiver;

/**
 * Delivers queued notifications: per receiver, {@link #LANES} single-thread lanes with bounded
 * queues, a notification's lane chosen by its log key (so one group's notifications stay in
 * order while different groups go out in parallel, as Alertmanager's groups do; a slow or failing
 * receiver only delays itself), retries with exponential backoff up to a
 * maximum number of attempts (5xx, 429, timeouts, connection errors; not other 4xx), a delivery
 * log row per attempt, and the notification log written only after success (outcomes are
 * written in batches by a {@link NotifyWriter}). A notification superseded by a newer one for
 * the same group is not sent again.
 */
final class Deliveries implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
  /** Parallel deliveries per receiver. */
  static final int LANES = 8;
  /** Bounded queue per lane; beyond it a notification waits in the database for the next minute. */
  static final int QUEUE_PER_LANE = 2000;

  /** Retry policy: attempts in total, first backoff, cap. */
  record Retry(int maxAttempts, Duration initial, Duration max) {
    Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
      }
    }

    Duration backoff(int attempt) {
      long ms = initial.toMillis() << Math.min(attempt - 1, 30);
      return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }
  }

  private final Clock clock;
  private final NotifyStore store;
  private final NotificationLog nflog;
  private final Senders senders;
  private final Templates templates;
  private final Supplier<NotifyConfig> config;
  private final Function<Receiver, String> language;
  private final Retry retry;
  private final Map<String, ThreadPoolExecutor> workers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  /** Attempts waiting on a lane or being made now (not those waiting out a retry backoff). */
  private final java.util.concurrent.atomic.AtomicInteger sending = new java.util.concurrent.atomic.AtomicInteger();
  /** The newest queued notification per log key: an older one still waiting is superseded. */
  private final Map<String, Notification> latest = new ConcurrentHashMap<>();
  private final NotifyWriter writer;
  private volatile boolean closed;

  Deliveries(Clock clock, NotifyStore store, NotificationLog nflog, Senders senders, Templates templates,
      Supplier<NotifyConfig> config, Function<Receiver, String> language, Retry retry) {
    this(clock, store, nflog, senders, templates, config, language, retry, NotifyWriter.LINGER_NANOS);
  }

  Deliveries(Clock clock, NotifyStore store, NotificationLog nflog, Senders senders, Templates templates,
      Supplier<NotifyConfig> config, Function<Receiver, String> language, Retry retry, long lingerNanos) {
    this.clock = requireNonNull(clock, "clock");
    this.store = requireNonNull(store, "store");
    this.nflog = requireNonNull(nflog, "nflog");
    this.senders = requireNonNull(senders, "senders");
    this.templates = requireNonNull(templates, "templates");
    this.config = requireNonNull(config, "config");
    this.language = requireNonNull(language, "language");
    this.retry = requireNonNull(retry, "retry");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "syslens-notify-retry"));
    this.writer = new NotifyWriter(store, o -> {
      if (o.last()) {
        long id = o.delivery().notificationId();
        latest.computeIfPresent(o.logKey(), (k, v) -> v.id() == id ? null : v);
        inFlight.remove(id);
      }
    }, () -> sending.get() > 0, lingerNanos);
  }

  /** The notifier's database writer (the dispatcher queues notifications through it). */
  NotifyWriter writer() {
    return writer;
  }

  long delivered() {
    return delivered.get();
  }

  long failed() {
    return failed.get();
  }

  long rejected() {
    return rejected.get();
  }

  /** Queues {@code n} (already persisted) on its receiver's worker; never blocks. */
  void submit(Notification n) {
    latest.merge(n.logKey(), n, (a, b) -> b.id() > a.id() ? b : a);
    if (inFlight.add(n.id())) {
      submit(n, 1);
    }
  }

  /**
   * The newest notification for {@code logKey} not yet confirmed (waiting, being sent or
   * retried), or null: the dispatcher does not decide the same news again while it is on its way.
   */
  Notification pending(String logKey) {
    return latest.get(logKey);
  }

  /** True while {@code id} waits on a worker or for a retry. */
  boolean inFlight(long id) {
    return inFlight.contains(id);
  }

  private void submit(Notification n, int attempt) {
    if (closed) {
      inFlight.remove(n.id());
      return; // stays in the persisted queue; sent after the next start
    }
    int lane = Math.floorMod(n.logKey().hashCode(), LANES);
    ThreadPoolExecutor w = workers.computeIfAbsent(n.receiver() + "\u0000" + lane, k ->
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_PER_LANE),
            x -> daemon(x, "syslens-notify-" + n.receiver() + "-" + lane)));
    sending.incrementAndGet();
    try {
      w.execute(() -> {
        try {
          attempt(n, attempt);
        } finally {
          sending.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      sending.decrementAndGet();
      inFlight.remove(n.id());
      rejected.incrementAndGet();
      log.error("receiver {}: {} notifications waiting in lane {}; notification {} stays queued in the database "
          + "and is offered again within a minute", n.receiver(), QUEUE_PER_LANE, lane, n.id());
    }
  }

  private void attempt(Notification n, int attempt) {
    Notification newest = latest.get(n.logKey());
    if (closed || newest == null || newest.id() != n.id()) {
      inFlight.remove(n.id());
      return; // superseded by a newer notification for the same group, or shutting down
    }
    NotifyConfig c = config.get();
    Receiver r = c.receivers().get(n.receiver());
    Integration in = r == null || n.integration() >= r.integrations().size() ? null : r.integrations().get(n.integration());
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    String error = null;
    boolean retryable = false;
    if (in == null) {
      error = "receiver " + n.receiver() + " integration " + n.integration() + " is no longer configured";
    } else {
      try {
        // Webhook and Alertmanager payloads are JSON of the alerts: no message to render.
        boolean rendered = !(in instanceof Integration.Webhook || in instanceof Integration.Alertmanager);
        Templates.Message msg = rendered ? templates.render(n, language.apply(r), r.templates(), c.externalUrl()) : null;
        senders.send(in, n, msg, c.externalUrl());
      } catch (Senders.DeliveryException e) {
        error = e.getMessage();
        retryable = e.retryable;
      } catch (RuntimeException e) {
        error = "unexpected: " + e;
        retryable = true;
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    boolean last = !retryable || attempt >= retry.maxAttempts();
    String status = error == null ? "delivered" : last ? "failed" : "retrying";
    Delivery d = new Delivery(0, n.id(), n.receiver(), in == null ? "?" : in.kind(), n.groupKey(),
        n.alerts().size(), attempt, status, error, start, ms);
    if (error == null) {
      Model.LogEntry e = NotificationLog.entry(n, clock.instant());
      nflog.remember(e); // the dispatcher sees it at once; the database with the next batch
      writer.write(new NotifyWriter.Outcome(d, n.logKey(), e, true));
      delivered.incrementAndGet();
    } else if (last) {
      // The notification log is not written: the next flush decides again.
      writer.write(new NotifyWriter.Outcome(d, n.logKey(), null, true));
      failed.incrementAndGet();
      log.warn("notification {} to {} failed after {} attempt(s): {}", n.id(), n.receiver(), attempt, error);
    } else {
      writer.write(new NotifyWriter.Outcome(d, n.logKey(), null, false));
      try {
        timer.schedule(() -> submit(n, attempt + 1), retry.backoff(attempt).toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException ignored) {
        inFlight.remove(n.id()); // closing
      }
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    // Queued attempts return at once (closed); running ones finish their send and bookkeeping
    // (interrupting them mid-write only logs errors; what is unconfirmed stays queued anyway).
    for (ThreadPoolExecutor w : workers.values()) {
      w.shutdown();
    }
    for (ThreadPoolExecutor w : workers.values()) {
      try {
        if (!w.awaitTermination(5, TimeUnit.SECONDS)) {
          w.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    writer.close();
  }
}
