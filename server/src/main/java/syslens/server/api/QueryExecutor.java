package syslens.server.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import syslens.query.QueryException;

/**
 * The threads queries run on, apart from the event loops and from the blocking executor that
 * ingest, logins and metadata use: at most {@code maxConcurrent} queries at once, at most
 * {@code maxQueued} waiting, each waiting at most {@code queueTimeout} (then a {@code timeout}
 * error, "query timed out in query queue", as Prometheus words it). A query still running a
 * second past its timeout has its thread interrupted, which stops even work that does not read
 * the clock (series selection in the TSDB).
 */
public final class QueryExecutor implements AutoCloseable {
  private static final long INTERRUPT_GRACE_MS = 1_000;
  /** Stack per query thread: generous, though the parser already bounds nesting. */
  private static final long STACK_BYTES = 4L << 20;

  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService timer;
  private final long queueTimeoutMs;
  private final long interruptAfterMs;

  private QueryExecutor(QueryLimits limits) {
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(limits.maxConcurrent(), limits.maxConcurrent(), 60,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(Math.max(1, limits.maxQueued())), r -> {
          Thread t = new Thread(null, r, "syslens-query-" + n.incrementAndGet(), STACK_BYTES);
          t.setDaemon(true);
          return t;
        });
    workers.allowCoreThreadTimeOut(true);
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "syslens-query-timer");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.queueTimeoutMs = limits.queueTimeout().toMillis();
    this.interruptAfterMs = limits.timeout().toMillis() + INTERRUPT_GRACE_MS;
  }

  public static QueryExecutor create(QueryLimits limits) {
    return new QueryExecutor(requireNonNull(limits, "limits"));
  }

  /** Queries waiting for a thread. */
  public int queued() {
    return workers.getQueue().size();
  }

  /** Queries running. */
  public int running() {
    return workers.getActiveCount();
  }

  /**
   * Runs {@code task} on a query thread. The future fails with a {@link QueryException} when the
   * queue is full ({@code unavailable}) or the task waited too long ({@code timeout}).
   */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    requireNonNull(task, "task");
    CompletableFuture<T> f = new CompletableFuture<>();
    Job<T> job = new Job<>(task, f);
    try {
      workers.execute(job);
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new QueryException(QueryException.Kind.UNAVAILABLE,
          "too many queries waiting (" + workers.getQueue().size() + " queued, "
              + workers.getMaximumPoolSize() + " running); try again later"));
      return f;
    }
    ScheduledFuture<?> expiry = timer.schedule(() -> {
      if (job.claim()) {
        workers.remove(job);
        f.completeExceptionally(new QueryException(QueryException.Kind.TIMEOUT,
            "query timed out in query queue"));
      }
    }, queueTimeoutMs, TimeUnit.MILLISECONDS);
    f.whenComplete((v, e) -> expiry.cancel(false));
    return f;
  }

  /** One submitted query: runs once, unless the queue timeout claimed it first. */
  private final class Job<T> implements Runnable {
    private final Supplier<T> task;
    private final CompletableFuture<T> future;
    private boolean claimed;
    private boolean finished;

    Job(Supplier<T> task, CompletableFuture<T> future) {
      this.task = task;
      this.future = future;
    }

    synchronized boolean claim() {
      if (claimed) {
        return false;
      }
      claimed = true;
      return true;
    }

    @Override
    public void run() {
      if (!claim()) {
        return;
      }
      Thread self = Thread.currentThread();
      ScheduledFuture<?> killer = timer.schedule(() -> {
        synchronized (this) {
          if (!finished) {
            self.interrupt();
          }
        }
      }, interruptAfterMs, TimeUnit.MILLISECONDS);
      try {
        future.complete(task.get());
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(e);
      } finally {
        synchronized (this) {
          finished = true;
        }
        killer.cancel(false);
        Thread.interrupted(); // never leak an interrupt into the next query
      }
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    timer.shutdownNow();
  }

  /** For tests: the grace after the query timeout before the thread is interrupted. */
  static Duration interruptGrace() {
    return Duration.ofMillis(INTERRUPT_GRACE_MS);
  }
}
