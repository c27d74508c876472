package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.agent.collect.Metric;
import syslens.agent.v1.lite.Series;

class RoundsTest {

  @Test
  void toBatches_overLimit_splitsKeepingOrderAndOneTimestamp() {
    List<Metric> metrics = new ArrayList<>();
    for (int i = 0; i < 4001; i++) {
      metrics.add(Metric.of("m", i, "i", Integer.toString(i)));
    }

    List<List<Series>> batches = Rounds.toBatches(metrics, 1_700_000_010_000L, 2000);

    assertThat(batches).extracting(List::size).containsExactly(2000, 2000, 1);
    List<Series> all = batches.stream().flatMap(List::stream).toList();
    assertThat(all).extracting(s -> s.getSamples(0).getValue())
        .isEqualTo(metrics.stream().map(Metric::value).toList());
    assertThat(all).allSatisfy(s -> {
      assertThat(s.getSamplesCount()).isEqualTo(1);
      assertThat(s.getSamples(0).getTimestampMs()).isEqualTo(1_700_000_010_000L);
    });
  }

  @Test
  void toBatches_labels_nameFirstThenSortedLabels() {
    Series s = Rounds.toBatches(List.of(Metric.of("node_cpu_seconds_total", 1.5, "mode", "user",
        "cpu", "0")), 1000, 2000).get(0).get(0);

    assertThat(s.getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
        .containsExactly("__name__=node_cpu_seconds_total", "cpu=0", "mode=user");
  }

  @Test
  void toBatches_empty_noBatches() {
    assertThat(Rounds.toBatches(List.of(), 0, 10)).isEmpty();
  }
}
