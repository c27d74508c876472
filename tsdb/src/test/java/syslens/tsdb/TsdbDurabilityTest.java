package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static syslens.tsdb.TsdbTestSupport.countSamples;
import static syslens.tsdb.TsdbTestSupport.dump;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/** An acknowledgement is a promise: commits fail loudly, and never lose what they reported stored. */
class TsdbDurabilityTest {
  static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");
  static final long T0 = NOW.toEpochMilli() - 3_600_000;

  @TempDir Path dir;
  final FaultyChannels faults = new FaultyChannels();
  final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() {
    faults.holdForces = null;
    pool.shutdownNow();
  }

  Tsdb open() {
    return builder().build();
  }

  Tsdb.Builder builder() {
    return Tsdb.builder(dir).clock(Clock.fixed(NOW, ZoneOffset.UTC)).walSegmentSize(4096)
        .checkpointInterval(Duration.ZERO).walChannels(faults);
  }

  static Labels series(int i) {
    return Labels.of("__name__", "node_load1", "instance", "host" + i);
  }

  /** One commit: one sample for each of n series at t; true when it was acknowledged. */
  static boolean commit(Tsdb db, int n, long t) {
    Appender app = db.appender();
    for (int i = 0; i < n; i++) {
      assertThat(app.append(series(i), t, t / 1000.0 + i)).isEqualTo(AppendStatus.OK);
    }
    try {
      app.commit();
      return true;
    } catch (StorageException e) {
      return false;
    }
  }

  @Test
  void commit_identicalSampleOfCommitAwaitingFsync_waitsForThatFsync() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    try (Tsdb db = open()) {
      faults.holdForces = hold;
      Future<?> first = pool.submit(() -> commit(db, 1, T0));
      assertThat(faults.forceEntered.await(10, TimeUnit.SECONDS)).isTrue();
      // A resend of the same sample (e.g. after a reconnect) while the first commit's fsync runs.
      AtomicReference<Thread> second = new AtomicReference<>();
      Future<Boolean> resend = pool.submit(() -> {
        second.set(Thread.currentThread());
        return commit(db, 1, T0);
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> resend.isDone()
          || (second.get() != null && second.get().getState() == Thread.State.WAITING));
      try {
        assertThat(resend.isDone()).as("resend acknowledged before the data was durable").isFalse();
      } finally {
        hold.countDown();
      }
      first.get(10, TimeUnit.SECONDS);
      assertThat(resend.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(countSamples(dump(db))).isEqualTo(1);
    }
  }

  @Test
  void commit_fsyncFails_nothingStoredAndResendIsLoggedAgain() {
    try (Tsdb db = open()) {
      assertThat(commit(db, 2, T0)).isTrue();
      faults.failForces.set(1);
      Appender app = db.appender();
      app.append(series(0), T0 + 10_000, 1);
      app.append(series(7), T0 + 10_000, 1); // a new series
      assertThatThrownBy(app::commit).isInstanceOf(StorageException.class)
          .hasMessageContaining("fsync").hasMessageContaining("Input/output error");
      // Nothing of the failed commit is visible, and its new series is gone.
      assertThat(countSamples(dump(db))).isEqualTo(2);
      assertThat(db.stats().numSeries()).isEqualTo(2);
      assertThat(db.stats().lostSamples()).isEqualTo(2);
      assertThat(db.stats().walSyncErrors()).isEqualTo(1);
      // The sender retries: the same samples are logged again (not deduplicated against memory).
      app.append(series(0), T0 + 10_000, 1);
      app.append(series(7), T0 + 10_000, 1);
      app.commit();
      assertThat(db.problem()).isNull();
    }
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(4);
      assertThat(db.stats().walReplayProblems()).isZero();
    }
  }

  @Test
  void commit_writeFailsPartway_truncatedBackSoEveryLaterCommitReplays() {
    int acked = 0;
    try (Tsdb db = open()) {
      for (int c = 0; c < 5; c++) {
        acked += commit(db, 3, T0 + c * 10_000L) ? 3 : 0;
      }
      faults.partialWrite.set(7);
      assertThat(commit(db, 3, T0 + 50_000)).isFalse();
      assertThat(db.problem()).contains("No space left on device");
      assertThat(db.stats().walWriteErrors()).isEqualTo(1);
      for (int c = 6; c < 11; c++) {
        acked += commit(db, 3, T0 + c * 10_000L) ? 3 : 0;
      }
      assertThat(db.problem()).isNull();
    }
    assertThat(acked).isEqualTo(30);
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(30);
      assertThat(db.stats().walReplayProblems()).isZero();
    }
  }

  @Test
  void rotate_newSegmentCannotBeCreated_oldSegmentStaysInUse() {
    int acked = 0;
    int failed = 0;
    try (Tsdb db = open()) {
      faults.failCreates.set(1);
      for (int c = 0; c < 100; c++) {
        if (commit(db, 5, T0 + c * 10_000L)) {
          acked += 5;
        } else {
          failed++;
        }
      }
    }
    assertThat(failed).isEqualTo(1);
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(acked);
      assertThat(db.stats().walReplayProblems()).isZero();
    }
  }

  @Test
  void append_farInTheFuture_outOfBoundsAndSeriesKeepsAccepting() {
    try (Tsdb db = open()) {
      long now = NOW.toEpochMilli();
      Appender app = db.appender();
      assertThat(app.append(series(0), now + 11 * 60_000, 1)).isEqualTo(AppendStatus.OUT_OF_BOUNDS);
      assertThat(app.append(series(0), now - 1000, 1)).isEqualTo(AppendStatus.OK);
      assertThat(app.append(series(0), now + 9 * 60_000, 2)).isEqualTo(AppendStatus.OK);
      app.commit();
      assertThat(db.stats().rejectedOutOfBounds()).isEqualTo(1);
      assertThat(countSamples(dump(db))).isEqualTo(2);
    }
  }

  @Test
  void rollback_newSeries_leavesNoSeriesAndFreesTheLimit() {
    try (Tsdb db = builder().maxSeries(2).build()) {
      Appender app = db.appender();
      assertThat(app.append(series(0), T0, 1)).isEqualTo(AppendStatus.OK);
      assertThat(app.append(series(1), T0, 1)).isEqualTo(AppendStatus.OK);
      assertThat(db.appender().append(series(2), T0, 1)).isEqualTo(AppendStatus.LIMIT_EXCEEDED);
      app.rollback();
      assertThat(db.stats().numSeries()).isZero();
      assertThat(commit(db, 2, T0)).isTrue();
      assertThat(db.stats().numSeries()).isEqualTo(2);
      assertThat(db.appender().append(series(5), T0, 1)).isEqualTo(AppendStatus.LIMIT_EXCEEDED);
    }
  }

  @Test
  void appender_perSourceLimit_oneSourceCannotExhaustTheGlobalLimit() {
    try (Tsdb db = builder().maxSeries(100).maxSeriesPerSource(3).build()) {
      Appender noisy = db.appender("node-a");
      for (int i = 0; i < 3; i++) {
        assertThat(noisy.append(series(i), T0, 1)).isEqualTo(AppendStatus.OK);
      }
      assertThat(noisy.append(series(3), T0, 1)).isEqualTo(AppendStatus.LIMIT_EXCEEDED);
      noisy.commit();
      Appender other = db.appender("node-b");
      assertThat(other.append(series(10), T0, 1)).isEqualTo(AppendStatus.OK);
      other.commit();
      assertThat(db.stats().rejectedSourceLimit()).isEqualTo(1);
      assertThat(db.stats().numSeries()).isEqualTo(4);
    }
  }
}
