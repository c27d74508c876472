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
 */
final class StreamInbox<T> implements StreamObserver<T> {
  private static final Logger log = LoggerFactory.getLogger(StreamInbox.class);
  private final StreamObserver<T> handler;
  private final ServerCallStreamObserver<?> call;
  private final Executor executor;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** A message has come in on this stream (it may still wait for its handler). */
  private volatile boolean received;

  private StreamInbox(StreamObserver<T> handler, ServerCallStreamObserver<?> call, Executor executor) {
    this.handler = handler;
    this.call = call;
    this.executor = executor;
  }

  /**
   * Wraps {@code handler}; call from the service method, before it returns. When {@code out} is
   * not a {@link ServerCallStreamObserver} (not a gRPC server call) gRPC's own flow control stays.
   */
  static <T> StreamInbox<T> wrap(StreamObserver<T> handler, StreamObserver<?> out, Executor executor) {
    requireNonNull(handler, "handler");
    requireNonNull(executor, "executor");
    ServerCallStreamObserver<?> call = null;
    if (out instanceof ServerCallStreamObserver<?> c) {
      c.disableAutoRequest();
      // A cancelled call (the agent went away) reaches the handler as onError; sending on it is
      // then a no-op instead of an exception in the handler.
      c.setOnCancelHandler(() -> { });
      c.request(1);
      call = c;
    }
    return new StreamInbox<>(handler, call, executor);
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
    submit(() -> {
      try {
        handler.onNext(value);
      } finally {
        requestNext();
      }
    });
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
