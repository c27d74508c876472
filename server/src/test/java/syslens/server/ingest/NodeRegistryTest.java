package syslens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.server.meta.MetaStore;
import syslens.server.meta.NodeStore;

/** Registry status (online, stale, offline), decommissioning and expiry, over the real H2 store. */
class NodeRegistryTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile long ms = 1_800_000_000_000L;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(ms);
    }
  }

  @Test
  void status_staleWhileStreamOpenButSilent_offlineWhenStreamEnds() {
    TestClock clock = new TestClock();
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeRegistry r = new NodeRegistry(new NodeStore(meta), clock, Duration.ofSeconds(30));
      r.connected("n1", "h1", "Linux", "1", Map.of());
      assertThat(r.find("n1").orElseThrow().status()).isEqualTo("online");
      clock.ms += 31_000;
      r.sweep();
      assertThat(r.find("n1").orElseThrow().status()).isEqualTo("stale");
      r.seen("n1");
      assertThat(r.find("n1").orElseThrow().status()).isEqualTo("online");
      r.disconnected("n1");
      assertThat(r.find("n1").orElseThrow().status()).isEqualTo("offline");
    }
  }

  @Test
  void flush_writesChangesOnceAndNotRemovedNodes() {
    TestClock clock = new TestClock();
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeStore store = new NodeStore(meta);
      NodeRegistry r = new NodeRegistry(store, clock, Duration.ofSeconds(30));
      r.connected("kept", "h1", "Linux", "1", Map.of("env", "prod"));
      r.connected("gone", "h2", "Linux", "1", Map.of());
      assertThat(store.all()).as("nothing written before the flush").isEmpty();
      r.disconnected("gone");
      assertThat(r.remove("gone")).isTrue();
      clock.ms += 5_000;
      r.disconnected("kept");
      r.flush();
      assertThat(r.pending()).isZero();
      assertThat(store.all()).singleElement().satisfies(n -> {
        assertThat(n.id()).isEqualTo("kept");
        assertThat(n.labels()).containsEntry("env", "prod");
        assertThat(n.lastSeen()).isEqualTo(clock.ms - 5_000);
      });
    }
  }

  @Test
  void removeAndExpire_onlyNodesWithoutStream_rowGoneAfterRestart() {
    TestClock clock = new TestClock();
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeRegistry r = new NodeRegistry(new NodeStore(meta), clock, Duration.ofSeconds(30));
      r.connected("live", "h", "Linux", "1", Map.of());
      r.connected("old", "h", "Linux", "1", Map.of());
      r.connected("gone", "h", "Linux", "1", Map.of());
      r.disconnected("old");
      r.disconnected("gone");
      assertThat(r.remove("live")).as("connected: refused").isFalse();
      assertThat(r.remove("gone")).isTrue();
      clock.ms += Duration.ofDays(31).toMillis();
      assertThat(r.expire(Duration.ofDays(30))).containsExactly("old");
      r.flush();
      assertThat(new NodeRegistry(new NodeStore(meta), clock, Duration.ofSeconds(30)).list())
          .extracting(NodeRegistry.NodeView::id).containsExactly("live");
    }
  }
}
