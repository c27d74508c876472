package syslens.server.ingest;

import java.util.concurrent.Semaphore;

/**
 * Bounds the agent messages that all streams together hold parsed at once: a message is charged
 * its size on the wire from before it is parsed until its handler is done with it (stored,
 * committed, acked). A parsed batch takes ~10x its wire size in the heap (protobuf objects, then
 * the pipeline's copy), so in a reconnect storm, where every stream has one message waiting,
 * the others wait as bytes instead of as parsed batches.
 *
 * <p>A charge is taken and given back by the same thread in one try/finally ({@link
 * StreamInbox}), never held across a stream's request for its next message: a stream that is
 * cancelled, replaced, closed by the server or whose handler throws cannot keep any of it.
 * Thread-safe; waiting is first come, first served.
 */
final class IngestBudget {
  /** Default bound: ~8 MiB of messages on the wire, ~0.1 GB parsed (see docs/benchmarks.md). */
  static final int DEFAULT_BYTES = 8 << 20;
  /** The least a message is charged (a Hello or a heartbeat still costs its objects). */
  static final int MIN_CHARGE = 256;

  private final int capacity;
  private final Semaphore permits;

  IngestBudget(int capacityBytes) {
    if (capacityBytes < MIN_CHARGE) {
      throw new IllegalArgumentException("capacityBytes: " + capacityBytes + " (expected: >= " + MIN_CHARGE + ")");
    }
    this.capacity = capacityBytes;
    this.permits = new Semaphore(capacityBytes, true);
  }

  /** What a message of {@code wireBytes} is charged: at least {@link #MIN_CHARGE}, at most the whole budget. */
  int charge(int wireBytes) {
    return Math.min(capacity, Math.max(MIN_CHARGE, wireBytes));
  }

  /** Waits until {@code charge} is free and takes it (a virtual thread parks). */
  void acquire(int charge) {
    permits.acquireUninterruptibly(charge);
  }

  void release(int charge) {
    permits.release(charge);
  }

  /** Bytes free now; equals {@link #capacity()} when no message is held. */
  int available() {
    return permits.availablePermits();
  }

  int capacity() {
    return capacity;
  }
}
