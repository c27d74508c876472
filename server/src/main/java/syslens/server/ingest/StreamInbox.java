package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent stream's inbound side: hands each message to the stream's handler on a shared
 * executor (virtual threads in the server), one at a time and in order, and asks gRPC for the
 * next message only once the handler is done with the previous one. So a stream holds at most one
 * message inside the server (its memory is bounded by that and the HTTP/2 window), and a batch
 * that waits for its WAL fsync parks a virtual thread instead of holding one of the blocking
 * executor's threads (at 1,000 agents the 200 blocking threads all sat in fsync and new agents'
 * Hellos queued behind them).
 *
 * <p>All streams share one {@link Gate}: when more messages have arrived and wait for their
 * handler than it allows (the server is behind: a start-up backlog, a reconnect storm), a stream
 * that finishes a message asks for its next one only when the backlog is below the bound again,
 * oldest first. Its next message then waits in the connection's flow-control window as bytes
 * rather than in the heap as a parsed message (~28 KB of protobuf objects for a 200-series
 * batch, ~10x its size on the wire: 9,500 of them, ~0.3 GB, at 10,000 agents).
 */
final class StreamInbox<T> implements StreamObserver<T> {
  private static final Logger log = LoggerFactory.getLogger(StreamInbox.class);
  private final StreamObserver<T> handler;
  private final ServerCallStreamObserver<?> call;
  private final Executor executor;
  private final Gate gate;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** The gate released this stream and keeps a slot for its next message. */
  final AtomicBoolean reserved = new AtomicBoolean();
  volatile boolean ended;
  /** A message has come in on this stream (it may still wait for its handler). */
  private volatile boolean received;

  private StreamInbox(StreamObserver<T> handler, ServerCallStreamObserver<?> call, Executor executor, Gate gate) {
    this.handler = handler;
    this.call = call;
    this.executor = executor;
    this.gate = gate;
  }

  /**
   * Bounds the messages that have arrived on any stream and wait for (or are in) their handler;
   * shared by every stream of a service. A soft bound (racing streams may pass it by a few).
   * Thread-safe.
   */
  static final class Gate {
    private final int max;
    /** Messages arrived and not yet handled, plus slots taken for held-back streams' next message. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    /** Streams that finished a message while the gate was full, oldest first. */
    private final Queue<StreamInbox<?>> deferred = new ConcurrentLinkedQueue<>();

    Gate(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
      }
      this.max = max;
    }

    /** Messages arrived and not yet handled (and slots kept for released streams). */
    int waiting() {
      return waiting.get();
    }

    /** Streams whose next message is held back. */
    int deferred() {
      return deferred.size();
    }

    void arrived(StreamInbox<?> s) {
      if (!s.reserved.compareAndSet(true, false)) { // a released stream's message has its slot already
        waiting.incrementAndGet();
      }
    }

    /** Stream {@code s} handled a message: it asks for its next one now, or once there is room. */
    void handled(StreamInbox<?> s) {
      if (waiting.decrementAndGet() < max && deferred.isEmpty()) {
        s.requestNext();
        return;
      }
      deferred.add(s);
      release(); // checked after adding: of two racing streams, the later one sees the room and the entry
    }

    /** Stream {@code s} ended: a slot kept for its next message is free again. */
    void ended(StreamInbox<?> s) {
      s.ended = true;
      if (s.reserved.compareAndSet(true, false)) {
        waiting.decrementAndGet();
        release();
      }
    }

    private void release() {
      StreamInbox<?> next;
      while (waiting.get() < max && (next = deferred.poll()) != null) {
        if (next.ended) {
          continue;
        }
        next.reserved.set(true);
        waiting.incrementAndGet();
        if (next.ended && next.reserved.compareAndSet(true, false)) {
          waiting.decrementAndGet(); // it ended meanwhile: no message will take the slot
          continue;
        }
        // On the stream's executor, not here: release() also runs in another stream's close or
        // cancel handler, inside that call's Armeria request context, where asking this call for
        // a message fails ("Trying to call object wrapped with context ... but context is currently
        // set to ...") and the slot kept for it leaked; enough of those in a reconnect storm of
        // 10,000 agents left every stream held back and the server idle (bench fleet, 2026-12-02).
        next.executor.execute(next::requestNext);
      }
    }
  }

  /**
   * Wraps {@code handler}; call from the service method, before it returns. When {@code out} is
   * not a {@link ServerCallStreamObserver} (not a gRPC server call) gRPC's own flow control stays.
   */
  static <T> StreamInbox<T> wrap(StreamObserver<T> handler, StreamObserver<?> out, Executor executor, Gate gate) {
    requireNonNull(handler, "handler");
    requireNonNull(executor, "executor");
    requireNonNull(gate, "gate");
    ServerCallStreamObserver<?> call = out instanceof ServerCallStreamObserver<?> c ? c : null;
    StreamInbox<T> inbox = new StreamInbox<>(handler, call, executor, gate);
    if (call != null) {
      call.disableAutoRequest();
      // A cancelled call (the agent went away) reaches the handler as onError; sending on it is
      // then a no-op instead of an exception in the handler. A call the server closed (a fatal
      // reject, a revoked credential) gets no onError: either way a slot the gate kept for its
      // next message is freed.
      call.setOnCancelHandler(() -> gate.ended(inbox));
      try {
        call.setOnCloseHandler(() -> gate.ended(inbox));
      } catch (UnsupportedOperationException e) {
        log.debug("no close handler on {}: a stream the server closes may keep the slot kept for its next message",
            call.getClass().getName());
      }
      call.request(1);
    }
    return inbox;
  }

  /**
   * True once any message came in, handled or not: a deadline for the first message must not count
   * the time the message waited for its handler (thousands of Hellos at once after a restart).
   */
  boolean received() {
    return received;
  }

  @Override
  public void onNext(T value) {
    received = true;
    gate.arrived(this);
    submit(() -> {
      try {
        handler.onNext(value);
      } finally {
        gate.handled(this);
      }
    });
  }

  @Override
  public void onError(Throwable t) {
    gate.ended(this);
    submit(() -> handler.onError(t));
  }

  @Override
  public void onCompleted() {
    gate.ended(this);
    submit(handler::onCompleted);
  }

  private void requestNext() {
    if (call != null) {
      try {
        call.request(1);
      } catch (RuntimeException e) {
        if (!ended) {
          log.warn("agent stream: asking for its next message failed", e);
        }
      }
    }
  }

  private void submit(Runnable r) {
    queue.add(r);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    do {
      Runnable r;
      while ((r = queue.poll()) != null) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("agent stream handler failed", e);
        }
      }
      draining.set(false);
    } while (!queue.isEmpty() && draining.compareAndSet(false, true));
  }
}
