package syslens.security;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Keeps password guessing from locking out or crowding out the real user.
 *
 * <ul>
 *   <li>Lockout per account and source: {@link #FAILURES_PER_SOURCE} failures from one source
 *       lock that account for that source only, for {@link #LOCK_TIME}.
 *   <li>Lockout per account for untrusted sources: {@link #FAILURES_PER_ACCOUNT} failures from
 *       sources that never logged in to the account lock it for every such source. A source with
 *       a previous successful login (trusted) keeps its own budget, so a flood from elsewhere
 *       cannot lock the real user out.
 *   <li>bcrypt slots: {@link #SLOTS} at once, one per source at a time, and the last one kept
 *       for trusted sources. Unknown accounts never take a slot (the caller answers them after a
 *       comparable delay instead).
 * </ul>
 * Locks expire by time; an admin can {@link #unlock} an account. State is in memory, bounded;
 * locks and trusted sources are also written to a {@link Store} (the metadata database) and
 * loaded from it at start, so a restart neither lifts a lock nor forgets the real user's sources.
 */
final class LoginGuard {
  static final int FAILURES_PER_SOURCE = 5;
  static final int FAILURES_PER_ACCOUNT = 20;
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final Duration LOCK_TIME = Duration.ofMinutes(15);
  static final int SLOTS = 4;
  static final int MAX_ACCOUNTS = 10_000;
  static final int MAX_SOURCES_PER_ACCOUNT = 1_000;
  static final int MAX_TRUSTED_PER_ACCOUNT = 32;

  private static final class Counter {
    int failures;
    long windowStart;
    long lockedUntil;
  }

  private static final class Account {
    final Map<String, Counter> bySource = lru(MAX_SOURCES_PER_ACCOUNT);
    final Map<String, Boolean> trusted = lru(MAX_TRUSTED_PER_ACCOUNT);
    final Counter untrusted = new Counter();
  }

  /** Persistence of locks and trusted sources; {@link #NONE} keeps them in memory only. */
  interface Store {
    Store NONE = new Store() {
      @Override
      public void lock(String account, String source, long lockedUntil) {}

      @Override
      public void trust(String account, String source, long at) {}

      @Override
      public void unlock(String account) {}

      @Override
      public Loaded load(long now) {
        return new Loaded(java.util.List.of(), java.util.List.of());
      }
    };

    /** {@code source} is {@link LoginLockStore#UNTRUSTED} for the account-wide lock. */
    void lock(String account, String source, long lockedUntil);

    void trust(String account, String source, long at);

    void unlock(String account);

    /** Unexpired locks and trusted sources, oldest first. */
    Loaded load(long now);

    record Lock(String account, String source, long lockedUntil) {}

    record Loaded(java.util.List<Lock> locks, java.util.List<String[]> trusted) {}
  }

  /** A held bcrypt slot; release it when the check is done. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  private final Clock clock;
  private final Store store;
  private final Map<String, Account> accounts = lru(MAX_ACCOUNTS);
  private final Semaphore general = new Semaphore(SLOTS - 1);
  private final Semaphore reserved = new Semaphore(1);
  private final Set<String> busySources = ConcurrentHashMap.newKeySet();

  LoginGuard(Clock clock) {
    this(clock, Store.NONE);
  }

  LoginGuard(Clock clock, Store store) {
    this.clock = requireNonNull(clock, "clock");
    this.store = requireNonNull(store, "store");
    Store.Loaded loaded = store.load(clock.millis());
    for (String[] t : loaded.trusted()) {
      accounts.computeIfAbsent(t[0], k -> new Account()).trusted.put(t[1], Boolean.TRUE);
    }
    for (Store.Lock l : loaded.locks()) {
      Account a = accounts.computeIfAbsent(l.account(), k -> new Account());
      Counter c = l.source().equals(LoginLockStore.UNTRUSTED) ? a.untrusted
          : a.bySource.computeIfAbsent(l.source(), k -> new Counter());
      c.lockedUntil = l.lockedUntil();
    }
  }

  /** How long {@code account} stays locked for {@code source}; zero when it is not. */
  synchronized Duration lockedFor(String account, String source) {
    Account a = accounts.get(account);
    if (a == null) {
      return Duration.ZERO;
    }
    long now = clock.millis();
    long until = 0;
    Counter c = a.bySource.get(source);
    if (c != null) {
      until = c.lockedUntil;
    }
    if (!a.trusted.containsKey(source)) {
      until = Math.max(until, a.untrusted.lockedUntil);
    }
    return until > now ? Duration.ofMillis(until - now) : Duration.ZERO;
  }

  /** Whether {@code source} has logged in to {@code account} before. */
  synchronized boolean trusted(String account, String source) {
    Account a = accounts.get(account);
    return a != null && a.trusted.containsKey(source);
  }

  /** A bcrypt slot for this source, or null when none is free for it now. */
  Slot acquire(String account, String source) {
    if (!busySources.add(source)) {
      return null;
    }
    Semaphore s = general.tryAcquire() ? general
        : trusted(account, source) && reserved.tryAcquire() ? reserved : null;
    if (s == null) {
      busySources.remove(source);
      return null;
    }
    return new Slot() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          s.release();
          busySources.remove(source);
        }
      }
    };
  }

  synchronized void failure(String account, String source) {
    long now = clock.millis();
    Account a = accounts.computeIfAbsent(account, k -> new Account());
    if (count(a.bySource.computeIfAbsent(source, k -> new Counter()), FAILURES_PER_SOURCE, now)) {
      store.lock(account, source, now + LOCK_TIME.toMillis());
    }
    if (!a.trusted.containsKey(source) && count(a.untrusted, FAILURES_PER_ACCOUNT, now)) {
      store.lock(account, LoginLockStore.UNTRUSTED, now + LOCK_TIME.toMillis());
    }
  }

  /** Counts one failure; true when it locked. */
  private static boolean count(Counter c, int limit, long now) {
    if (now - c.windowStart >= WINDOW.toMillis()) {
      c.windowStart = now;
      c.failures = 0;
    }
    if (++c.failures >= limit) {
      c.lockedUntil = now + LOCK_TIME.toMillis();
      c.failures = 0;
      c.windowStart = now;
      return true;
    }
    return false;
  }

  synchronized void success(String account, String source) {
    Account a = accounts.computeIfAbsent(account, k -> new Account());
    Counter had = a.bySource.remove(source);
    if (a.trusted.put(source, Boolean.TRUE) == null || (had != null && had.lockedUntil > 0)) {
      store.trust(account, source, clock.millis());
    }
  }

  /** Lifts every lock on {@code account} (an admin's decision). */
  synchronized void unlock(String account) {
    Account a = accounts.get(account);
    if (a != null) {
      a.bySource.clear();
      a.untrusted.failures = 0;
      a.untrusted.lockedUntil = 0;
    }
    store.unlock(account);
  }

  /** True when the account is locked for sources that never logged in to it. */
  synchronized boolean lockedForUntrusted(String account) {
    Account a = accounts.get(account);
    return a != null && a.untrusted.lockedUntil > clock.millis();
  }

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
