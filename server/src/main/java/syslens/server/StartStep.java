package syslens.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A start-up step that runs on its own thread beside the others, so that independent work
 * (opening the storage engine, TLS, metadata migrations) shares the machine's cores instead of
 * queueing on the main thread. {@link #join()} hands over the result or rethrows the step's
 * failure as it was thrown.
 */
final class StartStep<T> {
  private final Future<T> result;

  private StartStep(Future<T> result) {
    this.result = result;
  }

  /** Starts {@code step} on a new daemon thread named {@code name}. */
  static <T> StartStep<T> begin(String name, Callable<T> step) {
    requireNonNull(name, "name");
    requireNonNull(step, "step");
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofPlatform().name(name).daemon().start(() -> {
      try {
        f.complete(step.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return new StartStep<>(f);
  }

  /** Waits for the step; its exception is rethrown unwrapped (an IOException as thrown inside). */
  T join() throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true; // start-up is not abandoned half way; the flag is restored below
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof UncheckedIOException u) {
            throw u.getCause();
          }
          if (c instanceof IOException io) {
            throw io;
          }
          if (c instanceof RuntimeException r) {
            throw r;
          }
          if (c instanceof Error err) {
            throw err;
          }
          throw new IOException(c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** After another step failed: waits for this one and releases what it built (failures ignored). */
  void discard(Consumer<T> close) {
    try {
      close.accept(join());
    } catch (IOException | RuntimeException e) {
      // it failed too: nothing was built that needs releasing
    }
  }
}
