package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.tsdb.TsdbTestSupport.countSamples;
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
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.wal.Wal;

/** Checkpoints bound restart time: a restart loads chunks and replays only the WAL after them. */
class TsdbCheckpointTest {
  @TempDir Path dir;

  static Tsdb open(Path dir) {
    return Tsdb.builder(dir).walSegmentSize(4096).checkpointInterval(Duration.ZERO).build();
  }

  static Labels series(int i) {
    return Labels.of("__name__", "node_cpu_seconds_total", "cpu", Integer.toString(i % 4),
        "instance", "host" + i / 4);
  }

  static void write(Tsdb db, int n, int commits, long t0) {
    for (int c = 0; c < commits; c++) {
      Appender app = db.appender();
      for (int i = 0; i < n; i++) {
        app.append(series(i), t0 + 10_000L * c, c * 0.25 + i);
      }
      app.commit();
    }
  }

  @Test
  void checkpoint_crashAfterMoreWrites_restartLoadsItAndReplaysOnlyNewerWal() throws IOException {
    Map<Labels, List<String>> before;
    Tsdb db = open(dir);
    write(db, 20, 30, 1_000_000);
    assertThat(db.checkpoint()).isEqualTo(20);
    write(db, 20, 5, 2_000_000);
    before = dump(db);
    // No close: a crash. The new instance must see everything.
    try (Tsdb again = open(dir)) {
      assertThat(dump(again)).isEqualTo(before);
      assertThat(again.stats().walReplayedSamples()).isEqualTo(100); // only what followed the checkpoint
      write(again, 20, 1, 3_000_000);
      assertThat(countSamples(dump(again))).isEqualTo(720);
    }
  }

  @Test
  void checkpoint_twice_deletesWalTheOlderCheckpointCovers() throws IOException {
    try (Tsdb db = open(dir)) {
      write(db, 20, 40, 1_000_000);
      db.checkpoint();
      int afterFirst = Wal.segments(dir.resolve("wal")).size();
      write(db, 20, 40, 2_000_000);
      db.checkpoint();
      write(db, 20, 40, 3_000_000);
      db.checkpoint();
      assertThat(Wal.segments(dir.resolve("wal")).size()).isLessThan(afterFirst + 8);
      assertThat(checkpoints()).hasSize(2);
    }
    try (Tsdb db = open(dir)) {
      assertThat(countSamples(dump(db))).isEqualTo(2400);
    }
  }

  @Test
  void checkpoint_newestDamaged_olderOnePlusWalGiveEverything() throws IOException {
    Map<Labels, List<String>> before;
    try (Tsdb db = open(dir)) {
      write(db, 8, 20, 1_000_000);
      db.checkpoint();
      write(db, 8, 20, 2_000_000);
      db.checkpoint();
      write(db, 8, 3, 3_000_000);
      before = dump(db);
    }
    Path newest = checkpoints().get(0);
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(newest, bytes);
    try (Tsdb db = open(dir)) {
      assertThat(dump(db)).isEqualTo(before);
    }
  }

  /** Any appends, checkpointed at any point, then a crash: a restart gives back exactly them. */
  @Property(tries = 30)
  void checkpointThenCrash_restartEqualsReferenceModel(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 9) Integer> seriesOfCommit,
      @ForAll @IntRange(min = 0, max = 40) int checkpointAfter) throws IOException {
    Path d = Files.createTempDirectory("ckpt");
    try {
      Map<Labels, List<String>> model = new TreeMap<>();
      Tsdb db = open(d);
      long t = 1_000_000;
      for (int c = 0; c < seriesOfCommit.size(); c++) {
        Appender app = db.appender();
        int n = seriesOfCommit.get(c) + 1;
        for (int i = 0; i < n; i++) {
          double v = Math.sin(c * 7 + i) * 1000;
          app.append(series(i), t, v);
          model.computeIfAbsent(series(i), k -> new ArrayList<>())
              .add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(v)));
        }
        app.commit();
        t += 15_000;
        if (c + 1 == checkpointAfter) {
          db.checkpoint();
        }
      }
      try (Tsdb again = open(d)) {
        assertThat(dump(again)).isEqualTo(model);
      }
      db.close();
    } finally {
      try (Stream<Path> all = Files.walk(d)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private List<Path> checkpoints() throws IOException {
    try (Stream<Path> all = Files.list(dir)) {
      return all.filter(p -> p.getFileName().toString().startsWith("checkpoint.")
          && !p.getFileName().toString().endsWith(".tmp"))
          .sorted(Comparator.comparing(Path::toString).reversed()).toList();
    }
  }
}
