package syslens.query;

import java.time.Clock;

/**
 * What one query may spend: samples held, bytes of label strings it builds, and time. Checked
 * while loading and inside every evaluation loop, so a hostile query fails fast instead of
 * filling the heap or holding a core past its deadline. An interrupted thread (the executor
 * cancelling a timed-out query) counts as a timeout. Not thread-safe: one per query.
 */
final class QueryBudget {
  private static final int DEADLINE_CHECK_EVERY = 1024;

  private final long maxSamples;
  private final long maxBytes;
  private final long deadline;
  private final Clock clock;
  private long samples;
  private long bytes;
  private int ticks;

  QueryBudget(long maxSamples, long maxBytes, long deadline, Clock clock) {
    this.maxSamples = maxSamples;
    this.maxBytes = maxBytes;
    this.deadline = deadline;
    this.clock = clock;
  }

  /** Counts {@code n} more samples held by the query. */
  void addSamples(long n) {
    samples += n;
    if (samples > maxSamples) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "query processing would load too many samples into memory in query execution");
    }
  }

  /** Frees {@code n} samples counted before (a temporary result dropped). */
  void releaseSamples(long n) {
    samples = Math.max(0, samples - n);
  }

  /** Counts {@code n} more bytes of strings (label values) the query builds. */
  void addBytes(long n) {
    if (n > maxBytes - bytes) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "query processing would use too much memory for labels (more than " + maxBytes
              + " bytes) in query execution");
    }
    bytes += n;
  }

  /** Cheap enough for inner loops: reads the clock every 1,024 calls. */
  void tick() {
    if (++ticks >= DEADLINE_CHECK_EVERY) {
      ticks = 0;
      checkDeadline();
    }
  }

  void checkDeadline() {
    if (Thread.currentThread().isInterrupted() || clock.millis() > deadline) {
      throw new QueryException(QueryException.Kind.TIMEOUT,
          "query timed out in expression evaluation");
    }
  }

  long samples() {
    return samples;
  }

  long bytes() {
    return bytes;
  }
}
