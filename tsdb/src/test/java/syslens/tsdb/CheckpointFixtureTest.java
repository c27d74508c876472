package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.head.Checkpoint;

/**
 * Checkpoints of every format version stay loadable: the fixtures' bytes never change, and a
 * database opened on one holds the same samples and checks new samples against the same newest
 * values (what version 2 stores per series and version 1 decodes from the last chunk).
 */
class CheckpointFixtureTest {
  @TempDir Path dir;

  @Test
  void open_checkpointV1Fixture_loadsContentAndNewestValues() throws IOException {
    openFixture("checkpoint-v1");
  }

  @Test
  void open_checkpointV2Fixture_loadsContentAndNewestValues() throws IOException {
    openFixture("checkpoint-v2");
  }

  @Test
  void write_currentVersion_equalsV2FixtureBytes() throws IOException {
    Checkpoint.write(dir.resolve(CheckpointFixtures.FILE), CheckpointFixtures.SEGMENT, CheckpointFixtures.series());
    assertThat(Files.readAllBytes(dir.resolve(CheckpointFixtures.FILE)))
        .isEqualTo(Files.readAllBytes(fixture("checkpoint-v2")));
  }

  @Test
  void write_thousandsOfDistinctLabelStrings_readBackEqual() throws IOException {
    List<Checkpoint.SeriesState> series = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      series.add(new Checkpoint.SeriesState(i + 1, Labels.of("__name__", "m" + (i % 7), "id", "v" + i),
          List.of(), List.of()));
    }
    Path f = dir.resolve("checkpoint.00000001");
    Checkpoint.write(f, 1, series);
    Checkpoint.Loaded back = Checkpoint.read(f);
    assertThat(back.series()).extracting(Checkpoint.SeriesState::labels)
        .containsExactlyElementsOf(series.stream().map(Checkpoint.SeriesState::labels).toList());
  }

  @Test
  void read_unknownVersion_refusedNamingIt() throws IOException {
    byte[] bytes = Files.readAllBytes(fixture("checkpoint-v2"));
    bytes[4] = 9;
    Path f = dir.resolve(CheckpointFixtures.FILE);
    Files.write(f, bytes);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checkpoint.read(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format version 9 (expected: 1..2; written by a newer SysLens?)");
  }

  private static Path fixture(String version) {
    return Path.of("src/test/resources/fixtures", version, CheckpointFixtures.FILE);
  }

  private void openFixture(String version) throws IOException {
    Files.copy(fixture(version), dir.resolve(CheckpointFixtures.FILE));
    Map<Labels, List<String>> expected = new TreeMap<>();
    CheckpointFixtures.inOrder().forEach((l, samples) -> {
      TreeMap<Long, Long> all = new TreeMap<>(samples);
      if (l.metricName().equals("up")) {
        all.putAll(CheckpointFixtures.outOfOrderUp());
      }
      List<String> out = new ArrayList<>();
      all.forEach((t, bits) -> out.add(t + "=" + Long.toHexString(bits)));
      expected.put(l, out);
    });
    try (Tsdb db = Tsdb.builder(dir).checkpointInterval(Duration.ZERO)
        .clock(java.time.Clock.fixed(java.time.Instant.ofEpochMilli(CheckpointFixtures.T0 + 86_400_000L), java.time.ZoneOffset.UTC))
        .build()) {
      assertThat(TsdbTestSupport.dump(db)).isEqualTo(expected);
      assertThat(db.stats().numSeries()).isEqualTo(4);
      Appender app = db.appender();
      CheckpointFixtures.inOrder().forEach((l, samples) -> {
        Map.Entry<Long, Long> last = samples.lastEntry();
        double v = Double.longBitsToDouble(last.getValue());
        // The newest sample again is a no-op; another value at its timestamp is a duplicate.
        assertThat(app.append(l, last.getKey(), v)).as("%s resend", l).isEqualTo(AppendStatus.OK);
        assertThat(app.append(l, last.getKey(), v + 1)).as("%s changed", l).isEqualTo(AppendStatus.DUPLICATE_TIMESTAMP);
        assertThat(app.append(l, last.getKey() + 10_000, 7.0)).isEqualTo(AppendStatus.OK);
      });
      app.commit();
      assertThat(TsdbTestSupport.countSamples(TsdbTestSupport.dump(db)))
          .isEqualTo(TsdbTestSupport.countSamples(expected) + 4);
    }
  }
}
