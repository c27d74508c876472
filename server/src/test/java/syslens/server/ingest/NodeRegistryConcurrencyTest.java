package syslens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.server.meta.MetaStore;
import syslens.server.meta.NodeStore;

/** The registry over the real H2 store while hundreds of agents connect and reconnect at once. */
class NodeRegistryConcurrencyTest {
  @TempDir Path dir;

  @Test
  void connected_manyReconnectsAtOnce_noneFailsAndOneFlushStoresThemAll() throws Exception {
    int nodes = 500;
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeStore store = new NodeStore(meta);
      NodeRegistry r = new NodeRegistry(store, Clock.systemUTC(), Duration.ofSeconds(30));
      for (int i = 0; i < nodes; i++) {
        r.connected("n" + i, "h", "Linux", "1", Map.of());
      }
      r.flush();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      // Every node's old stream ends while its new stream says Hello, while the registry flushes.
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          String id = "n" + i;
          all.add(pool.submit(() -> run(go, failures, () -> r.disconnected(id))));
          all.add(pool.submit(() -> run(go, failures, () -> r.connected(id, "h", "Linux", "2", Map.of()))));
          if (i % 100 == 0) {
            all.add(pool.submit(() -> run(go, failures, r::flush)));
          }
        }
        go.countDown();
        for (Future<?> f : all) {
          f.get();
        }
      }
      r.flush();
      assertThat(failures).isEmpty();
      assertThat(store.all()).hasSize(nodes).allSatisfy(n -> assertThat(n.agentVersion()).isEqualTo("2"));
    }
  }

  private static void run(CountDownLatch go, ConcurrentLinkedQueue<Throwable> failures, Runnable step) {
    try {
      go.await();
      step.run();
    } catch (Throwable t) {
      failures.add(t);
    }
  }
}
