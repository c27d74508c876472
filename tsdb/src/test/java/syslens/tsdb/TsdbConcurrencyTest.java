package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;

class TsdbConcurrencyTest {
  static final int WRITERS = 4;
  static final int SERIES_PER_WRITER = 50;
  static final int COMMITS = 200;

  @TempDir Path dir;

  @Test
  void appendAndQuery_concurrently_readersSeeConsistentSeriesAndAllDataSurvives() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    long commitsStarted;
    Tsdb.Stats stats;
    Map<Labels, List<String>> before;
    try (Tsdb db = Tsdb.builder(dir).build()) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          start.await();
          Appender app = db.appender();
          for (int c = 0; c < COMMITS; c++) {
            for (int s = 0; s < SERIES_PER_WRITER; s++) {
              AppendStatus st = app.append(labels(writer, s), 1000L * c, c);
              if (st != AppendStatus.OK) {
                errors.add("append " + writer + "/" + s + "@" + c + ": " + st);
              }
            }
            // Every writer also writes a shared series with its own values: one commit per t wins.
            app.append(Labels.of("__name__", "shared"), 1000L * c, writer * 1e6 + c);
            app.commit();
          }
          return null;
        }));
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          start.await();
          while (writing.get()) {
            checkConsistent(db, errors);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : writers) {
        f.get(2, TimeUnit.MINUTES);
      }
      writing.set(false);
      for (Future<?> f : readers) {
        f.get(1, TimeUnit.MINUTES);
      }
      commitsStarted = (long) WRITERS * COMMITS;
      stats = db.stats();
      before = TsdbTestSupport.dump(db);
    } finally {
      pool.shutdownNow();
    }
    assertThat(errors).isEmpty();
    assertThat(stats.numSeries()).isEqualTo(WRITERS * SERIES_PER_WRITER + 1);
    long perWriter = (long) SERIES_PER_WRITER * COMMITS;
    // Each attempt on the shared series is appended once or rejected (duplicate / out of order).
    long sharedAppended = stats.samplesAppended() - WRITERS * perWriter;
    assertThat(sharedAppended).isBetween((long) COMMITS / WRITERS, (long) COMMITS);
    assertThat(sharedAppended + stats.rejectedOutOfOrder() + stats.rejectedDuplicate())
        .isEqualTo((long) WRITERS * COMMITS);
    System.out.printf("group commit: %d commits, %d fsyncs (%.2f commits per fsync)%n",
        commitsStarted, stats.walFsyncs(), (double) commitsStarted / stats.walFsyncs());
    assertThat(stats.walFsyncs()).isLessThanOrEqualTo(commitsStarted + 1);
    try (Tsdb db = Tsdb.builder(dir).build()) {
      assertThat(TsdbTestSupport.dump(db)).isEqualTo(before);
    }
  }

  static Labels labels(int writer, int s) {
    return Labels.of("__name__", "m", "writer", String.valueOf(writer), "s", String.valueOf(s));
  }

  /** Every series yields strictly increasing timestamps with value == t / 1000. */
  static void checkConsistent(Tsdb db, ConcurrentLinkedQueue<String> errors) {
    try (Querier q = db.querier(0, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of(Matcher.equal("__name__", "m")))) {
        SampleIterator it = s.iterator();
        long prev = -1;
        while (it.next()) {
          long t = it.timestamp();
          if (t <= prev || it.value() != t / 1000) {
            errors.add(s.labels() + ": sample " + t + "=" + it.value() + " after " + prev);
            return;
          }
          prev = t;
        }
        if (prev == -1) {
          errors.add(s.labels() + ": selected with no samples");
        }
      }
    }
  }
}
