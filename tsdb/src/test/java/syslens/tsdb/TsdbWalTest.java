package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.tsdb.TsdbTestSupport.countSamples;
import static syslens.tsdb.TsdbTestSupport.dump;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.wal.Wal;

class TsdbWalTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-01T00:00:00Z"), ZoneOffset.UTC);
  static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  @TempDir Path dir;
  final List<LogRecord> logs = new ArrayList<>();
  final Logger walLogger = Logger.getLogger("syslens.tsdb.wal");
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (logs) {
        logs.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureLogs() {
    walLogger.addHandler(capture);
  }

  @AfterEach
  void releaseLogs() {
    walLogger.removeHandler(capture);
  }

  Tsdb open() {
    return Tsdb.builder(dir).clock(CLOCK).walSegmentSize(4096).checkpointInterval(Duration.ZERO).build();
  }

  static Labels series(int i) {
    return Labels.of("__name__", "node_cpu_seconds_total", "cpu", String.valueOf(i % 4),
        "instance", "host" + i);
  }

  /** Commits {@code commits} batches, each one sample for each of {@code n} series. */
  static void write(Tsdb db, int n, int commits, long t0) {
    Appender app = db.appender();
    for (int c = 0; c < commits; c++) {
      for (int i = 0; i < n; i++) {
        double v = (c % 7 == 6) ? STALE : c * 1.5 + i;
        assertThat(app.append(series(i), t0 + 10_000L * c, v)).isEqualTo(AppendStatus.OK);
      }
      app.commit();
    }
  }

  @Test
  void reopen_restoresIdenticalData() throws IOException {
    Map<Labels, List<String>> before;
    try (Tsdb db = open()) {
      write(db, 20, 30, 1_000_000);
      before = dump(db);
      Tsdb.Stats s = db.stats();
      assertThat(s.numSeries()).isEqualTo(20);
      assertThat(s.samplesAppended()).isEqualTo(600);
      assertThat(s.walBytesWritten()).isPositive();
      assertThat(s.walFsyncs()).isGreaterThanOrEqualTo(30);
      assertThat(s.headMinTime()).isEqualTo(1_000_000);
      assertThat(s.headMaxTime()).isEqualTo(1_000_000 + 10_000L * 29);
    }
    assertThat(Wal.segments(dir.resolve("wal")).size()).isGreaterThan(1); // 4 KiB segments rotated
    try (Tsdb db = open()) {
      assertThat(dump(db)).isEqualTo(before);
      Tsdb.Stats s = db.stats();
      assertThat(s.numSeries()).isEqualTo(20);
      assertThat(s.walReplayedSamples()).isEqualTo(600);
      assertThat(s.walReplayProblems()).isZero();
      assertThat(s.headMaxTime()).isEqualTo(1_000_000 + 10_000L * 29);
      // New series after replay get fresh refs; a second reopen sees old and new.
      Appender app = db.appender();
      assertThat(app.append(Labels.of("__name__", "new_metric"), 5_000_000, 1)).isEqualTo(AppendStatus.OK);
      assertThat(app.append(series(0), 5_000_000, 2)).isEqualTo(AppendStatus.OK);
      assertThat(app.append(series(1), 1_000_000, 2)).isEqualTo(AppendStatus.OUT_OF_ORDER);
      app.commit();
    }
    try (Tsdb db = open()) {
      Map<Labels, List<String>> after = dump(db);
      assertThat(after).hasSize(21);
      assertThat(countSamples(after)).isEqualTo(602);
    }
    assertThat(logs).isEmpty();
  }

  @Test
  void stored_afterReopen_givesTheReplayedInstanceAndTheArgumentForUnknownLabels() throws IOException {
    try (Tsdb db = open()) {
      write(db, 2, 3, 1_000_000);
    }
    try (Tsdb db = open()) {
      Labels mine = series(1);
      Labels kept = db.stored(mine);
      assertThat((Object) kept).isEqualTo(mine).isNotSameAs(mine); // the head's own, rebuilt from the WAL
      assertThat((Object) db.stored(series(1))).isSameAs(kept);
      Labels unknown = Labels.of("__name__", "never_written");
      assertThat((Object) db.stored(unknown)).isSameAs(unknown);
      Appender app = db.appender();
      assertThat(app.append(kept, 2_000_000, 1)).isEqualTo(AppendStatus.OK);
      app.commit();
      assertThat(db.stats().numSeries()).isEqualTo(2);
    }
  }

  @Test
  void replay_lastRecordTruncatedMidway_dropsItWithWarningAndAcceptsAppends() throws IOException {
    try (Tsdb db = open()) {
      write(db, 3, 5, 1_000_000);
    }
    Path last = lastSegment();
    long size = Files.size(last);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5);
    }
    try (Tsdb db = open()) {
      Map<Labels, List<String>> got = dump(db);
      assertThat(countSamples(got)).isEqualTo(12); // the last commit (3 samples) is gone
      assertThat(db.stats().walReplayProblems()).isEqualTo(1);
      assertThat(warnings()).singleElement().asString()
          .contains(last.toString()).contains("at offset ").contains("runs past the segment end");
      write(db, 3, 1, 2_000_000);
    }
    assertThat(Files.size(last)).isLessThan(size - 5);
    logs.clear();
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(15);
      assertThat(db.stats().walReplayProblems()).isZero();
    }
    assertThat(warnings()).isEmpty();
  }

  @Test
  void replay_byteFlippedInLastRecord_dropsItWithWarningAndAcceptsAppends() throws IOException {
    try (Tsdb db = open()) {
      write(db, 3, 5, 1_000_000);
    }
    Path last = lastSegment();
    long size = Files.size(last);
    byte[] bytes = Files.readAllBytes(last);
    bytes[bytes.length - 3] ^= 0x40; // inside the last sample's value bits
    Files.write(last, bytes);
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(12);
      assertThat(warnings()).singleElement().asString().contains(last.toString()).contains("CRC32C mismatch");
      write(db, 3, 1, 2_000_000);
    }
    assertThat(Files.size(last)).isLessThan(size);
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(15);
    }
  }

  @Test
  void replay_byteFlippedInEarlierSegment_losesOnlyThatRecordAndKeepsEverythingAfter() throws IOException {
    try (Tsdb db = open()) {
      write(db, 10, 300, 1_000_000);
    }
    List<Path> segs = Wal.segments(dir.resolve("wal"));
    assertThat(segs.size()).isGreaterThanOrEqualTo(10);
    Path third = segs.get(2);
    byte[] bytes = Files.readAllBytes(third);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(third, bytes);
    try (Tsdb db = open()) {
      // One commit (one SAMPLES record of 10 samples) is lost; every later segment is intact.
      assertThat(countSamples(dump(db))).isEqualTo(3000 - 10);
      Tsdb.Stats s = db.stats();
      assertThat(s.walReplayProblems()).isEqualTo(1);
      assertThat(s.walReplaySkippedBytes()).isBetween(100L, 400L);
      assertThat(s.numSeries()).isEqualTo(10);
      assertThat(logs).anySatisfy(r -> {
        assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
        assertThat(r.getMessage()).contains(third.toString()).contains("skipped")
            .contains("replay goes on");
      });
      Appender app = db.appender();
      app.append(Labels.of("__name__", "after_damage"), 9_000_000, 1);
      app.commit();
    }
    try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".corrupt"));
    }
    logs.clear();
    try (Tsdb db = open()) {
      assertThat(countSamples(dump(db))).isEqualTo(3000 - 10 + 1);
    }
  }

  private Path lastSegment() throws IOException {
    List<Path> segs = Wal.segments(dir.resolve("wal"));
    return segs.get(segs.size() - 1);
  }

  private List<String> warnings() {
    synchronized (logs) {
      return logs.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
          .map(LogRecord::getMessage).toList();
    }
  }
}
