package syslens.security;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background reads and writes for the authentication caches ({@link UserStore}, {@link Sessions},
 * {@link ApiKeys}): an entry past half its lifetime is read again from the database off the
 * request path, and activity due to be recorded is written there, so a steady client is answered
 * from memory on the event loop every time instead of one request every {@code CACHE_TTL_MS}
 * waiting for the database. The cache lifetime (how stale a remote change may be seen) is
 * unchanged: an entry that was not refreshed in time still expires.
 *
 * <p>At most one task per key is queued or running, at most {@value #MAX_QUEUED} in all (beyond,
 * a request takes the blocking path as before). A refresh that read the database before a change
 * made on this instance must not overwrite the change: each cache bumps {@link #changed()} before
 * it drops or alters entries, and a refresh stores its result only when the count is still the
 * one it saw before reading ({@link #unchangedSince}).
 */
final class RefreshAhead {
  static final int MAX_QUEUED = 1_024;
  private static final Logger LOG = LoggerFactory.getLogger(RefreshAhead.class);

  private final Executor executor;
  private final Set<Object> pending = ConcurrentHashMap.newKeySet();
  private final AtomicLong changes = new AtomicLong();

  RefreshAhead(Executor executor) {
    this.executor = requireNonNull(executor, "executor");
  }

  /** One daemon thread, started on demand and stopped after 30 s without work. */
  static RefreshAhead background() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MAX_QUEUED),
        r -> {
          Thread t = new Thread(r, "syslens-auth-refresh");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return new RefreshAhead(pool);
  }

  /** Tasks queued or running. */
  int pending() {
    return pending.size();
  }

  /** The change count now: read it before a refresh reads the database. */
  long changes() {
    return changes.get();
  }

  /** Called by a cache before it drops or alters entries because of a change made here. */
  void changed() {
    changes.incrementAndGet();
  }

  /** True when no change was made since {@code seen} was read (a refresh may store its result). */
  boolean unchangedSince(long seen) {
    return changes.get() == seen;
  }

  /**
   * Runs {@code task} in the background unless one for {@code key} is already queued or running;
   * true when it was queued (false: already pending, or the queue is full).
   */
  boolean submit(Object key, Runnable task) {
    if (pending.size() >= MAX_QUEUED || !pending.add(key)) {
      return false;
    }
    try {
      executor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          // The next request past the entry's lifetime reads the database itself and reports it.
          LOG.debug("background authentication refresh failed", e);
        } finally {
          pending.remove(key);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      pending.remove(key);
      return false;
    }
  }

  /** True when an entry loaded at {@code loadedAt} is old enough ({@code ttl / 2}) to be read again. */
  static boolean due(long now, long loadedAt, long ttlMs) {
    return now - loadedAt >= ttlMs / 2;
  }
}
