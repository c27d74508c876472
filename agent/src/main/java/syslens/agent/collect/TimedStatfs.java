package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * statfs with a deadline per mount, so a hanging network filesystem never stalls a round (as
 * node_exporter's {@code --collector.filesystem.mount-timeout}). Calls run on one worker thread;
 * when a call overruns, its mount is marked stuck, the worker is abandoned to finish (or hang)
 * alone and a fresh worker takes over. A stuck mount is not asked again until its hanging call
 * returns. At most {@link #MAX_STUCK} workers may hang at once; beyond that every further mount
 * is reported stuck without a call, so threads stay bounded.
 */
final class TimedStatfs implements AutoCloseable {

  static final int MAX_STUCK = 8;

  /** Outcome of one mount: stats, or stuck (timed out now or still hanging from before). */
  sealed interface Result {}

  record Ok(FsStats stats) implements Result {}

  record Stuck() implements Result {}

  private static final Stuck STUCK = new Stuck();

  private final FsStats.Reader reader;
  private final Duration timeout;
  private final Set<String> stuck = ConcurrentHashMap.newKeySet();
  private ExecutorService worker;

  TimedStatfs(FsStats.Reader reader, Duration timeout) {
    this.reader = requireNonNull(reader, "reader");
    this.timeout = requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
  }

  /** Mount points whose last call has not returned yet. */
  Set<String> stuckMounts() {
    return Set.copyOf(stuck);
  }

  /** Reads a mount's sizes within the timeout; IOException when statfs itself fails. */
  Result read(String mountpoint) throws IOException {
    if (stuck.contains(mountpoint) || stuck.size() >= MAX_STUCK) {
      return STUCK;
    }
    if (worker == null) {
      worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "syslens-agent-statfs");
        t.setDaemon(true);
        return t;
      });
    }
    CompletableFuture<FsStats> call = new CompletableFuture<>();
    worker.execute(() -> {
      try {
        call.complete(reader.read(mountpoint));
      } catch (Throwable e) {
        call.completeExceptionally(e);
      }
    });
    try {
      return new Ok(call.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      stuck.add(mountpoint);
      ExecutorService abandoned = worker;
      worker = null;
      abandoned.shutdown(); // its thread ends once the hanging call returns
      call.whenComplete((r, x) -> stuck.remove(mountpoint));
      return STUCK;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(mountpoint + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(mountpoint + ": interrupted", e);
    }
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.shutdownNow();
      worker = null;
    }
  }
}
