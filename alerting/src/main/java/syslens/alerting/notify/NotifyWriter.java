package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.Model.LogEntry;
import syslens.alerting.notify.Model.Notification;

/**
 * The notifier's one database writer: the dispatcher and the senders hand it what must survive
 * a restart (queued notifications, delivery outcomes, notification-log entries, alerts) and go
 * on; one thread writes them in order, many per transaction. Order is what keeps it correct: a
 * notification's queue row is handed over before the notification goes to a sender, so its
 * removal after delivery is always written after it. A crash loses at most the last batch not
 * yet committed, and that only means a notification is decided or sent again after the restart
 * (at-least-once), never that one is lost: the notification log is written only after delivery.
 */
final class NotifyWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotifyWriter.class);
  /**
   * Operations written per transaction at most: enough for an alert storm's round (thousands of
   * notifications and their outcomes), so a notification's queue row and its delivery meet in
   * one batch and neither is written.
   */
  static final int BATCH = 10_000;
  /**
   * How long the writer waits for more after the first record of a batch (flushes do not wait):
   * long enough for most notifications to be delivered meanwhile, so their queue rows are never
   * written, and it keeps the writer off the CPU while a round's notifications go out. A crash
   * within it means only that those notifications are decided (and perhaps sent) again.
   */
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
  /**
   * How long a batch may wait beyond {@link #LINGER_NANOS} while notifications are still being
   * sent: the writer's work waits until a burst has gone out instead of competing with it.
   */
  static final long MAX_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5000);
  /** How often the writer looks again whether the senders are done, past the linger. */
  static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Attempts to write one batch before it is given up (logged; see the class comment). */
  static final int WRITE_ATTEMPTS = 3;

  /** What the writer stores. */
  sealed interface Op {}

  /** Notifications (ids assigned) to queue, each replacing a queued one for the same log key. */
  record Enqueue(List<Notification> notifications, Instant at) implements Op {}

  /**
   * One delivery attempt's outcome: {@code log} the notification-log entry when delivered,
   * {@code last} removes the notification (of {@code logKey}) from the queue.
   */
  record Outcome(Delivery delivery, String logKey, LogEntry log, boolean last) implements Op {}

  /** Notification-log entries decided without a delivery (a group that all resolved). */
  record Logs(List<LogEntry> entries) implements Op {}

  /** Alerts to store and fingerprints to forget. */
  record Alerts(Map<String, Alert> upserts, Set<String> deletes, Instant at) implements Op {}

  private record Marker(CountDownLatch written, boolean stop) implements Op {}

  private final long lingerNanos;
  private final NotifyStore store;
  private final Consumer<Outcome> done;
  private final java.util.function.BooleanSupplier sending;
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closed;

  /** {@code done} is told, after the commit, each outcome written (so it is not offered again meanwhile). */
  NotifyWriter(NotifyStore store, Consumer<Outcome> done) {
    this(store, done, () -> false);
  }

  /**
   * As above; while {@code sending} is true (notifications on their way) a batch waits up to
   * {@link #MAX_LINGER_NANOS} for them.
   */
  NotifyWriter(NotifyStore store, Consumer<Outcome> done, java.util.function.BooleanSupplier sending) {
    this(store, done, sending, LINGER_NANOS);
  }

  /**
   * As above with another linger: 0 writes each batch at once (several instances: a delivery's
   * notification-log entry is committed right after it, so an instance taking over sees it).
   */
  NotifyWriter(NotifyStore store, Consumer<Outcome> done, java.util.function.BooleanSupplier sending, long lingerNanos) {
    this.lingerNanos = lingerNanos;
    this.store = requireNonNull(store, "store");
    this.done = requireNonNull(done, "done");
    this.sending = requireNonNull(sending, "sending");
    this.thread = new Thread(this::run, "syslens-notify-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code op} for the next batch; never blocks (bounded by what the dispatcher holds). */
  void write(Op op) {
    requireNonNull(op, "op");
    if (closed) {
      writeNow(List.of(op)); // e.g. a sender finishing during close: written in its own thread
      return;
    }
    queue.add(op);
  }

  /** Returns once everything handed over before the call is written (or after {@code timeoutMs}). */
  boolean flush(long timeoutMs) {
    if (closed) {
      return true;
    }
    Marker m = new Marker(new CountDownLatch(1), false);
    queue.add(m);
    try {
      return m.written().await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Operations waiting to be written. */
  int backlog() {
    return queue.size();
  }

  private void run() {
    List<Op> batch = new ArrayList<>(BATCH);
    List<Marker> markers = new ArrayList<>();
    try {
      boolean stop = false;
      while (!stop) {
        batch.add(queue.take());
        // Linger a moment unless asked to flush: a notification delivered within the batch that
        // queues it writes neither its queue row nor its removal, which is most of them.
        long first = System.nanoTime();
        long until = first + lingerNanos;
        for (long left; batch.size() < BATCH && !(batch.get(batch.size() - 1) instanceof Marker); ) {
          left = until - System.nanoTime();
          if (left <= 0) {
            // Past the linger: wait on (in short steps) only while senders still work, and not forever.
            if (lingerNanos == 0 || !sending.getAsBoolean() || System.nanoTime() - first >= MAX_LINGER_NANOS) {
              break;
            }
            left = BUSY_POLL_NANOS;
            until = System.nanoTime() + left;
          }
          Op next = queue.poll(left, TimeUnit.NANOSECONDS);
          if (next != null) {
            batch.add(next);
          }
        }
        queue.drainTo(batch, BATCH - batch.size());
        for (var it = batch.iterator(); it.hasNext(); ) {
          if (it.next() instanceof Marker m) {
            markers.add(m);
            stop |= m.stop();
            it.remove();
          }
        }
        if (!batch.isEmpty()) {
          writeBatch(batch);
          batch.clear();
        }
        markers.forEach(m -> m.written().countDown());
        markers.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped.countDown();
    }
  }

  private void writeNow(List<Op> ops) {
    synchronized (this) {
      writeBatch(ops);
    }
  }

  private void writeBatch(List<Op> batch) {
    for (int attempt = 1; ; attempt++) {
      try {
        store.write(batch);
        break;
      } catch (RuntimeException e) {
        if (attempt >= WRITE_ATTEMPTS) {
          log.error("writing {} notifier records failed after {} attempts ({}: {}); queued notifications in it are "
              + "decided again after a restart, delivered ones may be sent again", batch.size(), attempt,
              e.getMessage(), String.valueOf(e.getCause()), e);
          break;
        }
        log.warn("writing {} notifier records failed ({}: {}); trying again", batch.size(), e.getMessage(),
            String.valueOf(e.getCause()));
        try {
          TimeUnit.MILLISECONDS.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (Op op : batch) {
      if (op instanceof Outcome o) {
        try {
          done.accept(o);
        } catch (RuntimeException e) {
          log.error("after recording notification {}: {}", o.delivery().notificationId(), e.toString(), e);
        }
      }
    }
  }

  /** Writes what is queued, then stops; later operations are written by their callers. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    queue.add(new Marker(new CountDownLatch(1), true));
    try {
      if (!stopped.await(10, TimeUnit.SECONDS)) {
        log.error("notifier writer did not finish within 10 s; {} records unwritten", queue.size());
        thread.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    List<Op> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.removeIf(op -> op instanceof Marker);
    if (!rest.isEmpty()) {
      writeNow(rest);
    }
  }
}
