package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildTest {
  @TempDir Path dir;

  @Test
  void stopAll_runningChildren_endsThemAndReadsProcFirst() throws Exception {
    Child.Registry registry = new Child.Registry();
    Child c = Child.start("sleeper", List.of("sleep", "300"), Map.of(), dir.resolve("s.log"), registry);
    assertThat(c.alive()).isTrue();
    assertThat(c.rssBytes()).isPositive();
    assertThat(c.peakRssBytes()).isGreaterThanOrEqualTo(c.rssBytes());
    assertThat(c.cpuSeconds()).isGreaterThanOrEqualTo(0);
    registry.stopAll();
    assertThat(c.alive()).isFalse();
  }

  @Test
  void settledRssBytes_steadyChild_returnsOnceTheRssStopsFalling() throws Exception {
    Child.Registry registry = new Child.Registry();
    Child c = Child.start("sleeper", List.of("sleep", "300"), Map.of(), dir.resolve("r.log"), registry);
    try {
      long t0 = System.nanoTime();
      long rss = c.settledRssBytes(60_000);
      assertThat(rss).isPositive();
      // Two unchanged readings 250 ms apart end the wait: far sooner than the 60 s bound.
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(30_000);
    } finally {
      registry.stopAll();
    }
  }

  @Test
  void checkAlive_exitedChild_failsWithItsOutput() throws Exception {
    Child c = Child.start("failing", List.of("sh", "-c", "echo boom-reason; exit 3"), Map.of(), dir.resolve("f.log"),
        new Child.Registry());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (c.alive() && System.nanoTime() < deadline) {
      Thread.sleep(10); // the shell ends on its own; poll for it, bounded
    }
    assertThatThrownBy(c::checkAlive).hasMessageContaining("exited with status 3").hasMessageContaining("boom-reason");
  }
}
