package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
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
 * <p>With an {@link IngestBudget} the message comes as wire bytes ({@code W}) and is parsed
 * ({@code decoder}) only once the budget has room for it; the charge is given back when the
 * handler returns or throws, in the same try/finally. A stream whose call was cancelled before
 * its message's turn drops the message unparsed (its agent resends it, unacknowledged, on its
 * next stream).
 *
 * @param <W> the message as gRPC delivers it
 * @param <M> the message as the handler takes it
 */
final class StreamInbox<W, M> implements StreamObserver<W> {
  private static final Logger log = LoggerFactory.getLogger(StreamInbox.class);

  /** Turns a delivered message into the handler's. */
  interface Decoder<W, M> {
    M decode(W wire) throws java.io.IOException;

    /** Its size on the wire (what the budget charges). */
    int wireBytes(W wire);
  }

  private final StreamObserver<M> handler;
  private final ServerCallStreamObserver<?> call;
  private final Executor executor;
  private final IngestBudget budget;
  private final Decoder<W, M> decoder;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** A message has come in on this stream (it may still wait for its handler). */
  private volatile boolean received;
  /** A message could not be parsed: the call is closed, later messages are dropped. */
  private boolean malformed;

  private StreamInbox(StreamObserver<M> handler, ServerCallStreamObserver<?> call, Executor executor,
      IngestBudget budget, Decoder<W, M> decoder) {
    this.handler = handler;
    this.call = call;
    this.executor = executor;
    this.budget = budget;
    this.decoder = decoder;
  }

  /**
   * Wraps {@code handler} of parsed messages, without a budget; call from the service method,
   * before it returns. When {@code out} is not a {@link ServerCallStreamObserver} (not a gRPC
   * server call) gRPC's own flow control stays.
   */
  static <M> StreamInbox<M, M> wrap(StreamObserver<M> handler, StreamObserver<?> out, Executor executor) {
    return wrap(handler, out, executor, null, new Decoder<>() {
      @Override
      public M decode(M wire) {
        return wire;
      }

      @Override
      public int wireBytes(M wire) {
        return 0;
      }
    });
  }

  /** Wraps {@code handler}; each message is parsed and handled within {@code budget} (null: none). */
  static <W, M> StreamInbox<W, M> wrap(StreamObserver<M> handler, StreamObserver<?> out, Executor executor,
      IngestBudget budget, Decoder<W, M> decoder) {
    requireNonNull(handler, "handler");
    requireNonNull(executor, "executor");
    requireNonNull(decoder, "decoder");
    ServerCallStreamObserver<?> call = null;
    if (out instanceof ServerCallStreamObserver<?> c) {
      c.disableAutoRequest();
      // A cancelled call (the agent went away) reaches the handler as onError; sending on it is
      // then a no-op instead of an exception in the handler.
      c.setOnCancelHandler(() -> { });
      c.request(1);
      call = c;
    }
    return new StreamInbox<>(handler, call, executor, budget, decoder);
  }

  /**
   * True once any message came in, handled or not: a deadline for the first message must not count
   * the time the message waited for its handler (thousands of Hellos at once after a restart).
   */
  boolean received() {
    return received;
  }

  @Override
  public void onNext(W value) {
    received = true;
    submit(() -> handle(value));
  }

  private void handle(W value) {
    if (malformed) {
      return;
    }
    if (budget != null && call != null && call.isCancelled()) {
      return; // the agent is gone: it resends this unacknowledged message on its next stream
    }
    int charge = budget == null ? 0 : budget.charge(decoder.wireBytes(value));
    if (budget != null) {
      budget.acquire(charge);
    }
    try {
      M m;
      try {
        m = decoder.decode(value);
      } catch (java.io.IOException | RuntimeException e) {
        malformed(e);
        return;
      }
      handler.onNext(m);
    } finally {
      if (budget != null) {
        budget.release(charge);
      }
      if (!malformed) {
        requestNext();
      }
    }
  }

  private void malformed(Exception e) {
    malformed = true;
    log.warn("agent stream: malformed message ({}), closing the stream", e.toString());
    if (call != null) {
      synchronized (call) {
        try {
          call.onError(Status.INVALID_ARGUMENT.withDescription("malformed message: " + e.getMessage()
              + " (expected: an AgentMessage)").asRuntimeException());
        } catch (RuntimeException closed) {
          log.debug("stream already closed: {}", closed.toString());
        }
      }
    }
    handler.onError(e); // the handler ends its session
  }

  @Override
  public void onError(Throwable t) {
    submit(() -> handler.onError(t));
  }

  @Override
  public void onCompleted() {
    submit(handler::onCompleted);
  }

  private void requestNext() {
    if (call != null) {
      try {
        call.request(1);
      } catch (RuntimeException e) {
        log.debug("stream already closed: {}", e.toString());
      }
    }
  }

  private void submit(Runnable r) {
    queue.add(r);
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The server stops: its handlers are done; what the agent sent after is resent to the next one.
        log.debug("agent stream message after the server stopped: {}", e.toString());
      }
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
