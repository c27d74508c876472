package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.Server;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;

/**
 * The server's stop, one step after another: each step's time is kept and logged in one line at
 * the end ({@code SysLens stopped in 2,310 ms: agent streams 12 ms, ...}), and a step that throws
 * is logged and does not keep the later ones (the storage's checkpoint last of all) from running.
 */
final class StopSteps {
  private static final long CLOSED_POLL_MILLIS = 5;
  private final Logger log;
  private final long start = System.nanoTime();
  private final StringBuilder steps = new StringBuilder();

  StopSteps(Logger log) {
    this.log = requireNonNull(log, "log");
  }

  /** A step that may throw. */
  interface Step {
    void run() throws Exception;
  }

  /** Runs {@code step}, timed as {@code name}; a failure is logged, not thrown. */
  void run(String name, Step step) {
    long t0 = System.nanoTime();
    try {
      step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("stopping: {} interrupted", name);
    } catch (Exception e) {
      log.warn("stopping: {} failed", name, e);
    } finally {
      steps.append(steps.isEmpty() ? "" : ", ").append(name).append(' ')
          .append((System.nanoTime() - t0) / 1_000_000).append(" ms");
    }
  }

  /**
   * Waits until Armeria's stop has closed every connection (after its graceful wait for open
   * requests), which is all the later steps need: the rest of {@code stop}, its accept threads'
   * 2 s quiet period (Netty's {@code shutdownGracefully()}), can run beside them and be joined last.
   */
  static void awaitClosed(Server server, CompletableFuture<Void> stop) throws InterruptedException {
    while (!stop.isDone() && server.numConnections() > 0) {
      Thread.sleep(CLOSED_POLL_MILLIS);
    }
    stop.getNow(null); // a failed stop is reported by its own step
  }

  /** Logs the whole stop's time and each step's. */
  void done() {
    log.info("SysLens stopped in {} ms: {}", (System.nanoTime() - start) / 1_000_000, steps);
  }
}
