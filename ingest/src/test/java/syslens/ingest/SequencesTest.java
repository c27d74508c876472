package syslens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequencesTest {
  /** A store that keeps what was saved, as the database would across a restart. */
  static final class MapStore implements Sequences.Store {
    final Map<String, Sequences.Position> saved = new HashMap<>();

    @Override
    public Map<String, Sequences.Position> load() {
      return Map.copyOf(saved);
    }

    @Override
    public void save(Map<String, Sequences.Position> positions) {
      saved.putAll(positions);
    }
  }

  @Test
  void isDuplicate_seqAtOrBelowLastAcked_sameEpoch() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Sequences s = Sequences.create(new MapStore(), meters);
    assertThat(s.isDuplicate("n", 7, 1)).isFalse();
    s.acked("n", 7, 1);
    s.acked("n", 7, 2);
    assertThat(s.isDuplicate("n", 7, 1)).isTrue();
    assertThat(s.isDuplicate("n", 7, 2)).isTrue();
    assertThat(s.isDuplicate("n", 7, 3)).isFalse();
    assertThat(s.isDuplicate("other", 7, 1)).isFalse();
    assertThat(meters.counter("syslens.ingest.duplicate.batches").count()).isEqualTo(2);
  }

  @Test
  void isDuplicate_newEpochOrEpochZero_neverDuplicate() {
    Sequences s = Sequences.create(new MapStore(), new SimpleMeterRegistry());
    s.acked("n", 7, 5);
    assertThat(s.isDuplicate("n", 8, 1)).as("a new numbering starts afresh").isFalse();
    s.acked("n", 8, 1);
    assertThat(s.position("n")).isEqualTo(new Sequences.Position(8, 1));
    s.acked("n", 0, 9);
    assertThat(s.isDuplicate("n", 0, 1)).isFalse();
  }

  @Test
  void flush_positionsSurviveARestart() {
    MapStore store = new MapStore();
    Sequences s = Sequences.create(store, new SimpleMeterRegistry());
    s.acked("n", 7, 3);
    s.acked("n", 7, 2); // backwards: keeps 3
    s.flush();
    Sequences after = Sequences.create(store, new SimpleMeterRegistry());
    assertThat(after.isDuplicate("n", 7, 3)).isTrue();
    assertThat(after.isDuplicate("n", 7, 4)).isFalse();
  }
}
