package syslens.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import syslens.query.QueryException;

class QueryExecutorTest {
  private static QueryLimits limits(int concurrent, int queued, Duration timeout,
      Duration queueTimeout) {
    return new QueryLimits(timeout, 1_000, 1_000, concurrent, queued, queueTimeout);
  }

  private static QueryException.Kind failureKind(CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(QueryException.class);
    return ((QueryException) f.handle((v, e) -> e).join()).kind();
  }

  @Test
  void submit_runsOnQueryThreads() throws Exception {
    try (QueryExecutor ex = QueryExecutor.create(QueryLimits.defaults())) {
      assertThat(ex.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
          .startsWith("syslens-query-");
    }
  }

  @Test
  void submit_waitsInQueueThenTimesOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (QueryExecutor ex = QueryExecutor.create(limits(1, 10, Duration.ofMinutes(1),
        Duration.ofMillis(200)))) {
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<String> busy = ex.submit(() -> {
        started.countDown();
        awaitQuietly(release);
        return "done";
      });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> waiting = ex.submit(() -> "never");
      assertThat(failureKind(waiting)).isEqualTo(QueryException.Kind.TIMEOUT);
      assertThat(waiting.handle((v, e) -> e.getMessage()).join())
          .isEqualTo("query timed out in query queue");
      release.countDown();
      assertThat(busy.get(10, TimeUnit.SECONDS)).isEqualTo("done");
      // The timed-out query never runs; the next one does.
      assertThat(ex.submit(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
    }
  }

  @Test
  void submit_fullQueueIsUnavailable() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (QueryExecutor ex = QueryExecutor.create(limits(1, 1, Duration.ofMinutes(1),
        Duration.ofMinutes(1)))) {
      CountDownLatch started = new CountDownLatch(1);
      ex.submit(() -> {
        started.countDown();
        awaitQuietly(release);
        return 1;
      });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> queued = ex.submit(() -> 2);
      CompletableFuture<Integer> refused = ex.submit(() -> 3);
      assertThat(failureKind(refused)).isEqualTo(QueryException.Kind.UNAVAILABLE);
      release.countDown();
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  @Test
  void submit_queryPastItsTimeoutIsInterrupted() throws Exception {
    try (QueryExecutor ex = QueryExecutor.create(limits(1, 1, Duration.ofMillis(100),
        Duration.ofMinutes(1)))) {
      // Work that never reads the clock, like series selection: only the interrupt stops it.
      CompletableFuture<String> f = ex.submit(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.onSpinWait();
        }
        return "interrupted";
      });
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted");
      // The interrupt does not leak into the next query on that thread.
      assertThat(ex.submit(() -> Thread.currentThread().isInterrupted()).get(10,
          TimeUnit.SECONDS)).isFalse();
    }
  }

  private static void awaitQuietly(CountDownLatch l) {
    try {
      l.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
