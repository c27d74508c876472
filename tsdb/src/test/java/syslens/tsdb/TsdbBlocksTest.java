package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.tsdb.TsdbTestSupport.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.wal.Wal;

/** The head is cut into blocks every 2 h: memory and WAL shrink, queries and restarts see it all once. */
class TsdbBlocksTest {
  static final long H = 3_600_000;
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  @TempDir Path dir;

  Tsdb open() {
    return Tsdb.builder(dir).clock(Clock.fixed(NOW, ZoneOffset.UTC)).walSegmentSize(64 << 10)
        .checkpointInterval(Duration.ZERO).build();
  }

  static Labels series(int i) {
    return Labels.of("__name__", "node_network_receive_bytes_total", "device", "eth" + (i % 2),
        "instance", "host" + i);
  }

  @Test
  void flushHead_everythingIntoBlocks_walGoneQueriesAndRestartSeeItOnce() throws IOException {
    long start = Math.floorDiv(NOW.toEpochMilli() - 6 * H, 2 * H) * 2 * H + 17 * 60_000; // unaligned
    Map<Labels, List<String>> model = new TreeMap<>();
    long last = 0;
    try (Tsdb db = open()) {
      for (long t = start; t < start + 3 * H; t += 60_000) {
        if (t == start + H) {
          db.checkpoint(); // an older, full checkpoint that the flush makes useless
        }
        Appender app = db.appender();
        for (int i = 0; i < 10; i++) {
          app.append(series(i), t, t / 1000.0 + i);
          model.computeIfAbsent(series(i), k -> new ArrayList<>())
              .add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(t / 1000.0 + i)));
        }
        app.commit();
        last = t;
      }

      assertThat(db.flushHead()).isEqualTo(2); // [start, range end) and [range end, last]

      assertThat(db.stats().numSeries()).isZero();
      assertThat(db.blockStats()).singleElement().satisfies(t -> {
        assertThat(t.resolution()).isZero();
        assertThat(t.samples()).isEqualTo(10L * 180);
      });
      assertThat(dump(db)).isEqualTo(model);
      assertThat(walBytes()).isLessThan(4096);
      try (Stream<Path> cps = Files.list(dir).filter(p -> p.getFileName().toString().startsWith("checkpoint."))) {
        assertThat(cps.mapToLong(p -> p.toFile().length()).sum()).isLessThan(4096);
      }
      Appender late = db.appender();
      assertThat(late.append(series(0), last, 1)).isEqualTo(AppendStatus.OUT_OF_BOUNDS);
      assertThat(late.append(series(0), last + 60_000, 1)).isEqualTo(AppendStatus.OK);
      late.rollback();
    }
    try (Tsdb db = open()) {
      assertThat(dump(db)).isEqualTo(model);
      db.close(); // and again by try-with-resources: nothing happens the second time
    }
  }

  @Test
  void maintain_cutsCompleteRangesIntoBlocks_headAndWalShrink_everythingQueryableOnce() throws IOException {
    long start = Math.floorDiv(NOW.toEpochMilli() - 6 * H, 2 * H) * 2 * H; // range-aligned, 6 h back
    Map<Labels, List<String>> model = new TreeMap<>();
    try (Tsdb db = open()) {
      for (long t = start; t < start + 5 * H + 30 * 60_000; t += 60_000) {
        Appender app = db.appender();
        for (int i = 0; i < 20; i++) {
          // Series 19 stops after the first hour: it must leave memory after the cut.
          if (i == 19 && t >= start + H) {
            continue;
          }
          double v = (t - start) / 1000.0 * (i + 1);
          app.append(series(i), t, v);
          model.computeIfAbsent(series(i), k -> new ArrayList<>())
              .add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(v)));
        }
        app.commit();
      }
      long walBefore = walBytes();
      db.maintain();
      // [start, start+2h) and [start+2h, start+4h) are complete and 1 h behind the newest sample.
      assertThat(db.blockStats()).anySatisfy(t -> {
        assertThat(t.resolution()).isZero();
        assertThat(t.blocks()).isEqualTo(2);
      });
      assertThat(db.stats().numSeries()).isEqualTo(19);
      assertThat(db.stats().headMinTime()).isEqualTo(start + 4 * H);
      assertThat(dump(db)).isEqualTo(model);
      // Ingest goes on; the next checkpoint drops the WAL that the one written by the cut covers.
      Appender more = db.appender();
      long t = start + 5 * H + 30 * 60_000;
      more.append(series(0), t, 1);
      model.get(series(0)).add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(1.0)));
      more.commit();
      db.checkpoint();
      assertThat(walBytes()).isLessThan(walBefore / 2);
      Appender late = db.appender();
      assertThat(late.append(series(0), start + 3 * H, 1)).isEqualTo(AppendStatus.OUT_OF_BOUNDS);
      late.rollback();
    }
    try (Tsdb db = open()) { // blocks + checkpoint + WAL after it: nothing twice, nothing missing
      assertThat(dump(db)).isEqualTo(model);
      assertThat(db.stats().numSeries()).isEqualTo(19);
    }
  }

  @Test
  void open_damagedBlock_reportedAndSkippedHeadStillServes() throws IOException {
    long start = Math.floorDiv(NOW.toEpochMilli() - 6 * H, 2 * H) * 2 * H;
    try (Tsdb db = open()) {
      for (long t = start; t < start + 4 * H; t += 60_000) {
        Appender app = db.appender();
        app.append(series(0), t, t);
        app.commit();
      }
      db.maintain();
      assertThat(db.blockStats()).isNotEmpty();
    }
    Path index;
    try (Stream<Path> files = Files.walk(dir.resolve("blocks"))) {
      index = files.filter(p -> p.getFileName().toString().equals("index")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(index);
    b[b.length / 2] ^= 0x55;
    Files.write(index, b);
    try (Tsdb db = open()) {
      assertThat(db.blockFailures()).singleElement().satisfies(f ->
          assertThat(f.dir().toString()).contains(index.getParent().getFileName().toString()));
      assertThat(dump(db)).isNotEmpty(); // the head's part is still there
    }
  }

  private long walBytes() throws IOException {
    long n = 0;
    for (Path p : Wal.segments(dir.resolve("wal"))) {
      n += Files.size(p);
    }
    return n;
  }
}
