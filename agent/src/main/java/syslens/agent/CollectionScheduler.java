package syslens.agent;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a collection round on the node's interval grid: each round is stamped
 * {@code floor((now - phase) / interval) * interval + phase}, the next runs at the next grid
 * point, and a round
 * that overruns skips the ticks it missed instead of running them back to back. Stamps are
 * strictly increasing unless the wall clock steps back by more than an interval. A round that
 * throws anything, an {@link Error} included, is logged (at ERROR once per distinct failure) and
 * the next round is scheduled as usual: a failure never stops collection.
 *
 * <p>The phase ({@code seed mod interval}, the seed a hash of the node id) spreads a fleet's
 * rounds over the interval, as Prometheus offsets each target's scrapes by a hash of the
 * target: thousands of agents then do not all send at the same instant, while each node still
 * stamps its samples on its own regular grid (regular timestamps compress to almost nothing).
 */
final class CollectionScheduler {

  private static final Logger log = LoggerFactory.getLogger(CollectionScheduler.class);
  private static final int MAX_DISTINCT_FAILURES_LOGGED = 64;

  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final LongConsumer round;
  private final long phaseSeed;
  private volatile long intervalMs;
  private long lastStamp = Long.MIN_VALUE;
  private long skippedTicks;
  private long failedRounds;
  private final Set<String> loggedFailures = new HashSet<>();
  private ScheduledFuture<?> next;
  private boolean inRound;
  private boolean stopped;

  CollectionScheduler(ScheduledExecutorService executor, Clock clock, Duration interval,
      LongConsumer round) {
    this(executor, clock, interval, 0, round);
  }

  CollectionScheduler(ScheduledExecutorService executor, Clock clock, Duration interval,
      long phaseSeed, LongConsumer round) {
    this.executor = requireNonNull(executor, "executor");
    this.clock = requireNonNull(clock, "clock");
    this.round = requireNonNull(round, "round");
    this.phaseSeed = phaseSeed;
    this.intervalMs = requireNonNull(interval, "interval").toMillis();
    if (intervalMs < 1) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: >= 1ms)");
    }
  }

  /** Runs the first round now (stamped at the current grid point), then on the grid. */
  synchronized void start() {
    next = executor.schedule(this::runRound, 0, TimeUnit.MILLISECONDS);
  }

  synchronized void stop() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  Duration interval() {
    return Duration.ofMillis(intervalMs);
  }

  /** Switches to a new interval from the next grid point of that interval on. */
  synchronized void setInterval(Duration interval) {
    long ms = interval.toMillis();
    if (ms < 1) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: >= 1ms)");
    }
    if (ms == intervalMs) {
      return;
    }
    intervalMs = ms;
    // A running round schedules its successor with the new interval when it ends.
    if (next != null && !stopped && !inRound && next.cancel(false)) {
      scheduleNext();
    }
  }

  synchronized long skippedTicks() {
    return skippedTicks;
  }

  private void runRound() {
    long stamp;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stamp = stampFor(clock.millis(), intervalMs, phase(), lastStamp);
      lastStamp = stamp;
      inRound = true;
    }
    try {
      round.accept(stamp);
    } catch (Throwable t) {
      // Any failure, Errors included (an OutOfMemoryError in one round says nothing about the
      // next, once its garbage is gone): the schedule must go on, or the node would keep sending
      // heartbeats and look online while no data arrives. Not rethrown even for other
      // VirtualMachineErrors: from an executor task that would only be kept in a discarded future.
      reportFailure(stamp, t);
    }
    synchronized (this) {
      inRound = false;
      if (stopped) {
        return;
      }
      long now = clock.millis();
      long skipped = (nextGridPoint(now, intervalMs, phase()) - stamp) / intervalMs - 1;
      if (skipped > 0) {
        skippedTicks += skipped;
        log.debug("round {} overran: skipped {} tick(s)", stamp, skipped);
      }
      scheduleNext();
    }
  }

  /** Rounds that threw so far. */
  synchronized long failedRounds() {
    return failedRounds;
  }

  private void reportFailure(long stamp, Throwable t) {
    synchronized (this) {
      failedRounds++;
    }
    try {
      String message = String.valueOf(t);
      boolean first;
      synchronized (this) {
        first = loggedFailures.size() < MAX_DISTINCT_FAILURES_LOGGED
            && loggedFailures.add(message);
      }
      if (first) {
        log.error("collection round {} failed: {}; collection goes on with the next round "
            + "(repeats of this failure are logged at DEBUG)", stamp, message, t);
      } else {
        log.debug("collection round {} failed: {}", stamp, message);
      }
    } catch (Throwable ignored) {
      // Reporting can fail too (e.g. still out of memory); the next round is scheduled anyway.
    }
  }

  private void scheduleNext() {
    long now = clock.millis();
    next = executor.schedule(this::runRound, nextGridPoint(now, intervalMs, phase()) - now,
        TimeUnit.MILLISECONDS);
  }

  /** This node's offset into each interval, in [0, interval). */
  long phase() {
    return Math.floorMod(phaseSeed, intervalMs);
  }

  /** A stable seed for {@code nodeId}'s phase (FNV-1a, 64 bit): the same on every start. */
  static long phaseSeed(String nodeId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < nodeId.length(); i++) {
      h ^= nodeId.charAt(i);
      h *= 0x100000001b3L;
    }
    return h & Long.MAX_VALUE;
  }

  static long stampFor(long now, long intervalMs, long last) {
    return stampFor(now, intervalMs, 0, last);
  }

  /** The stamp of a round started at {@code now}; later than {@code last} unless the clock stepped back. */
  static long stampFor(long now, long intervalMs, long phase, long last) {
    long grid = Math.floorDiv(now - phase, intervalMs) * intervalMs + phase;
    if (last == Long.MIN_VALUE || grid > last || grid < last - intervalMs) {
      return grid; // normal case, first round, or the wall clock stepped back: follow the clock
    }
    // Woke a little early (executor and wall clock disagree): the next grid point after last.
    return (Math.floorDiv(last - phase, intervalMs) + 1) * intervalMs + phase;
  }

  static long nextGridPoint(long now, long intervalMs) {
    return nextGridPoint(now, intervalMs, 0);
  }

  /** The first grid point strictly after {@code now}. */
  static long nextGridPoint(long now, long intervalMs, long phase) {
    return (Math.floorDiv(now - phase, intervalMs) + 1) * intervalMs + phase;
  }
}
