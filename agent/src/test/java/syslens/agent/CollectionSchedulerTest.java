package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionSchedulerTest {

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void stampFor_fixedClock_floorsToGrid() {
    assertThat(CollectionScheduler.stampFor(1_700_000_007_345L, 10_000, Long.MIN_VALUE))
        .isEqualTo(1_700_000_000_000L);
    assertThat(CollectionScheduler.stampFor(1_700_000_010_000L, 10_000, 1_700_000_000_000L))
        .isEqualTo(1_700_000_010_000L);
    assertThat(CollectionScheduler.stampFor(1_700_000_012_000L, 10_000, 1_700_000_000_000L))
        .isEqualTo(1_700_000_010_000L);
  }

  @Test
  void stampFor_wokeJustBeforeGridPoint_takesNextPointAfterLast() {
    assertThat(CollectionScheduler.stampFor(1_700_000_009_999L, 10_000, 1_700_000_000_000L))
        .isEqualTo(1_700_000_010_000L);
  }

  @Test
  void stampFor_clockSteppedBack_followsClock() {
    assertThat(CollectionScheduler.stampFor(1_600_000_000_000L, 10_000, 1_700_000_000_000L))
        .isEqualTo(1_600_000_000_000L);
  }

  @Test
  void nextGridPoint_onAndBetweenPoints_strictlyAfter() {
    assertThat(CollectionScheduler.nextGridPoint(20_000, 10_000)).isEqualTo(30_000);
    assertThat(CollectionScheduler.nextGridPoint(20_001, 10_000)).isEqualTo(30_000);
    assertThat(CollectionScheduler.nextGridPoint(29_999, 10_000)).isEqualTo(30_000);
  }

  @Test
  void start_fixedClock_firstRoundStampedAtCurrentGridPoint() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_004_321L), ZoneOffset.UTC);
    List<Long> stamps = new CopyOnWriteArrayList<>();
    CollectionScheduler s = new CollectionScheduler(executor, clock, Duration.ofSeconds(10),
        stamps::add);

    s.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> !stamps.isEmpty());
    assertThat(stamps.get(0)).isEqualTo(1_700_000_000_000L);
    s.stop();
  }

  @Test
  void run_systemClock_stampsOnGridAndIncreasing() {
    List<Long> stamps = new CopyOnWriteArrayList<>();
    CollectionScheduler s = new CollectionScheduler(executor, Clock.systemUTC(),
        Duration.ofMillis(100), stamps::add);

    s.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() >= 5);
    s.stop();

    assertThat(stamps).allSatisfy(t -> assertThat(t % 100).isZero());
    assertThat(stamps).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void run_roundOverruns_skipsMissedTicksInsteadOfBunching() {
    List<Long> startedAt = new CopyOnWriteArrayList<>();
    CollectionScheduler s = new CollectionScheduler(executor, Clock.systemUTC(),
        Duration.ofMillis(100), t -> {
          startedAt.add(System.nanoTime());
          long end = System.nanoTime() + 250_000_000L; // busy 250 ms: overruns 2+ ticks
          while (System.nanoTime() < end) {
            Thread.onSpinWait();
          }
        });
    s.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> startedAt.size() >= 4);
    s.stop();

    for (int i = 1; i < startedAt.size(); i++) {
      // each round starts at the first grid point after the previous one ended
      assertThat((startedAt.get(i) - startedAt.get(i - 1)) / 1_000_000L)
          .isGreaterThanOrEqualTo(250);
    }
    assertThat(s.skippedTicks()).isGreaterThanOrEqualTo(2L * (startedAt.size() - 1));
  }

  @Test
  void setInterval_changed_nextRoundsOnNewGrid() {
    List<Long> stamps = new CopyOnWriteArrayList<>();
    CollectionScheduler s = new CollectionScheduler(executor, Clock.systemUTC(),
        Duration.ofMillis(100), stamps::add);
    s.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() >= 2);

    s.setInterval(Duration.ofMillis(250));
    int mark = stamps.size() + 1;
    await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() >= mark + 3);
    s.stop();

    assertThat(s.interval()).isEqualTo(Duration.ofMillis(250));
    assertThat(stamps.subList(mark, stamps.size())).allSatisfy(t -> assertThat(t % 250).isZero());
    assertThat(stamps).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void run_roundThrowsErrors_nextRoundsStillScheduledOnGrid() {
    AtomicLong now = new AtomicLong(1_700_000_004_321L);
    Clock clock = new Clock() {
      @Override
      public long millis() {
        return now.get();
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis());
      }

      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException("withZone");
      }
    };
    List<Throwable> failures = List.of(new OutOfMemoryError("Java heap space"),
        new StackOverflowError(), new AssertionError("collector bug"),
        new IllegalStateException("bad /proc line"));
    List<Long> stamps = new CopyOnWriteArrayList<>();
    CollectionScheduler s = new CollectionScheduler(executor, clock, Duration.ofMillis(100), t -> {
      stamps.add(t);
      now.addAndGet(100); // the test's clock moves one interval per round
      int round = stamps.size();
      if (round <= failures.size()) {
        Throwable f = failures.get(round - 1);
        if (f instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) f;
      }
    });

    s.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> stamps.size() >= failures.size() + 2);
    s.stop();

    assertThat(s.failedRounds()).isEqualTo(failures.size());
    // every round, failed or not, is followed by one on the next grid point
    long first = 1_700_000_004_300L;
    for (int i = 0; i < failures.size() + 2; i++) {
      assertThat(stamps.get(i)).isEqualTo(first + 100L * i);
    }
  }

  @Test
  void stampFor_phase_stampsOnTheNodesOwnGrid() {
    assertThat(CollectionScheduler.stampFor(10_000 + 3_200, 10_000, 3_000, Long.MIN_VALUE))
        .isEqualTo(13_000);
    assertThat(CollectionScheduler.stampFor(10_000 + 2_900, 10_000, 3_000, Long.MIN_VALUE))
        .isEqualTo(3_000);
    assertThat(CollectionScheduler.nextGridPoint(13_000, 10_000, 3_000)).isEqualTo(23_000);
    assertThat(CollectionScheduler.nextGridPoint(12_999, 10_000, 3_000)).isEqualTo(13_000);
  }

  @Test
  void phaseSeed_fleetOfNodes_spreadOverTheIntervalAndStable() {
    int[] buckets = new int[10];
    for (int i = 0; i < 10_000; i++) {
      long phase = Math.floorMod(CollectionScheduler.phaseSeed("node-" + i), 10_000L);
      buckets[(int) (phase / 1_000)]++;
    }
    for (int b : buckets) {
      assertThat(b).isBetween(800, 1200); // about 1,000 nodes in each tenth of the interval
    }
    assertThat(CollectionScheduler.phaseSeed("web-01"))
        .isEqualTo(CollectionScheduler.phaseSeed("web-01")).isNotNegative();
  }
}
