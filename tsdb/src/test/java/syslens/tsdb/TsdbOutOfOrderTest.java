package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.tsdb.TsdbTestSupport.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;

/** The out-of-order window: late samples within it are taken, merged on read, never doubled. */
class TsdbOutOfOrderTest {
  static final Labels SERIES = Labels.of("__name__", "late_metric", "instance", "a");
  @TempDir Path dir;

  static Tsdb open(Path dir, Duration window) {
    return Tsdb.builder(dir).outOfOrderWindow(window).checkpointInterval(Duration.ZERO).build();
  }

  static AppendStatus append(Tsdb db, long t, double v) {
    Appender app = db.appender();
    AppendStatus st = app.append(SERIES, t, v);
    app.commit();
    return st;
  }

  static List<String> samples(Tsdb db) {
    return dump(db).getOrDefault(SERIES, List.of());
  }

  static String s(long t, double v) {
    return t + "=" + Long.toHexString(Double.doubleToRawLongBits(v));
  }

  @Test
  void append_windowOff_olderSampleRefused() {
    try (Tsdb db = open(dir, Duration.ZERO)) {
      assertThat(append(db, 100_000, 1)).isEqualTo(AppendStatus.OK);
      assertThat(append(db, 90_000, 2)).isEqualTo(AppendStatus.OUT_OF_ORDER);
    }
  }

  @Test
  void append_withinWindow_takenMergedInOrderAndSurvivesRestartAndCheckpoint() throws IOException {
    long h = 3_600_000;
    try (Tsdb db = open(dir, Duration.ofHours(1))) {
      assertThat(append(db, 10 * h, 1)).isEqualTo(AppendStatus.OK);
      assertThat(append(db, 10 * h + 60_000, 2)).isEqualTo(AppendStatus.OK);
      assertThat(append(db, 10 * h - 30 * 60_000, 3)).isEqualTo(AppendStatus.OK); // 31 min late
      assertThat(append(db, 10 * h - 30 * 60_000, 3)).isEqualTo(AppendStatus.OK); // resent: idempotent
      assertThat(append(db, 10 * h - 2 * h, 4)).isEqualTo(AppendStatus.OUT_OF_ORDER); // beyond 1 h
      assertThat(append(db, 10 * h + 30_000, 5)).isEqualTo(AppendStatus.OK);
      assertThat(db.stats().outOfOrderAppended()).isEqualTo(3);
      assertThat(samples(db)).containsExactly(s(10 * h - 30 * 60_000, 3), s(10 * h, 1),
          s(10 * h + 30_000, 5), s(10 * h + 60_000, 2));
    }
    try (Tsdb db = open(dir, Duration.ofHours(1))) { // WAL replay
      assertThat(samples(db)).hasSize(4);
      db.checkpoint();
    }
    try (Tsdb db = open(dir, Duration.ofHours(1))) { // checkpoint load
      assertThat(samples(db)).containsExactly(s(10 * h - 30 * 60_000, 3), s(10 * h, 1),
          s(10 * h + 30_000, 5), s(10 * h + 60_000, 2));
    }
  }

  /**
   * Any arrival order within the window: the stored series equals a model that keeps, for each
   * timestamp, the first sample the appender accepted; before and after a restart and a
   * checkpoint.
   */
  @Property(tries = 40)
  void anyArrivalOrder_equalsFirstAcceptedPerTimestamp(
      @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 400) Integer> arrivals,
      @ForAll @IntRange(min = 1, max = 20) int batch) throws IOException {
    Path d = Files.createTempDirectory("ooo");
    try {
      TreeMap<Long, String> model = new TreeMap<>();
      try (Tsdb db = open(d, Duration.ofHours(1))) {
        Appender app = db.appender();
        for (int i = 0; i < arrivals.size(); i++) {
          long t = 1_000_000_000L + arrivals.get(i) * 5_000L;
          double v = arrivals.get(i) * 10 + (i % 3);
          if (app.append(SERIES, t, v) == AppendStatus.OK) {
            model.putIfAbsent(t, s(t, v));
          }
          if ((i + 1) % batch == 0) {
            app.commit();
          }
        }
        app.commit();
        assertThat(samples(db)).containsExactlyElementsOf(model.values());
      }
      try (Tsdb db = open(d, Duration.ofHours(1))) {
        assertThat(samples(db)).containsExactlyElementsOf(model.values());
        db.checkpoint();
      }
      try (Tsdb db = open(d, Duration.ofHours(1))) {
        assertThat(samples(db)).containsExactlyElementsOf(model.values());
      }
    } finally {
      try (Stream<Path> all = Files.walk(d)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
