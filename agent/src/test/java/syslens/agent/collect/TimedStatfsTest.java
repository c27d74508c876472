package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class TimedStatfsTest {

  private static final FsStats OK = new FsStats(100, 50, 40, 10, 5);

  @Test
  void read_hangingMount_stuckWithinTimeoutThenSkippedUntilItReturns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (TimedStatfs statfs = new TimedStatfs(mount -> {
      if (mount.equals("/mnt/nfs")) {
        awaitQuietly(release);
      }
      return OK;
    }, Duration.ofMillis(200))) {
      long t0 = System.nanoTime();
      assertThat(statfs.read("/mnt/nfs")).isInstanceOf(TimedStatfs.Stuck.class);
      assertThat((System.nanoTime() - t0) / 1e6).isBetween(150.0, 5_000.0);
      assertThat(statfs.read("/")).isEqualTo(new TimedStatfs.Ok(OK)); // a fresh worker answers

      long t1 = System.nanoTime();
      assertThat(statfs.read("/mnt/nfs")).isInstanceOf(TimedStatfs.Stuck.class);
      assertThat((System.nanoTime() - t1) / 1e6).isLessThan(100.0); // not asked again while hanging
      assertThat(statfs.stuckMounts()).containsExactly("/mnt/nfs");

      release.countDown();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> statfs.stuckMounts().isEmpty());
      assertThat(statfs.read("/mnt/nfs")).isEqualTo(new TimedStatfs.Ok(OK));
    }
  }

  @Test
  void collect_hangingMount_reportedAsTimeoutAndRoundNotStalled() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FilesystemCollector c = new FilesystemCollector(Fixtures.proc(), mount -> {
      if (mount.equals("/mnt/nfs")) {
        awaitQuietly(release);
      }
      return OK;
    }, Duration.ofMillis(200));
    try {
      long t0 = System.nanoTime();
      var m = Fixtures.byKey(Fixtures.collect(c));
      var m2 = Fixtures.byKey(Fixtures.collect(c));

      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
      String nfs = "{device=\"nfs.example:/export\",fstype=\"nfs4\",mountpoint=\"/mnt/nfs\"}";
      String root = "{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"}";
      for (var round : java.util.List.of(m, m2)) {
        assertThat(round).containsEntry("syslens_filesystem_mount_timeout" + nfs, 1.0)
            .containsEntry("node_filesystem_device_error" + nfs, 1.0)
            .containsEntry("syslens_filesystem_mount_timeout" + root, 0.0)
            .containsEntry("node_filesystem_size_bytes" + root, 100.0)
            .doesNotContainKey("node_filesystem_size_bytes" + nfs);
      }
    } finally {
      release.countDown();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
