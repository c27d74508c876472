package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Series;

class FleetAgentTest {
  private static final Series[] SERIES = FleetBench.withProbe(new Series[] {
      Series.newBuilder().setRef(1).addLabels(Label.newBuilder().setName("__name__").setValue("node_load1")).build()});

  @Test
  void batch_definesLabelsOnAStreamsFirstBatch_refsAloneAfter() {
    double[] values = {0.5, 1_700_000_000_000.0};
    MetricBatch first = FleetAgent.batch(SERIES, 7, 1_700_000_000_000L, values, true);
    assertThat(first.getSeq()).isEqualTo(7);
    assertThat(first.getSeriesList()).extracting(Series::getRef).containsExactly(1, 2);
    assertThat(first.getSeries(1).getLabels(0).getValue()).isEqualTo(FleetBench.PROBE);
    assertThat(first.getSeries(0).getSamples(0).getValue()).isEqualTo(0.5);
    assertThat(first.getSeries(1).getSamples(0).getTimestampMs()).isEqualTo(1_700_000_000_000L);

    MetricBatch later = FleetAgent.batch(SERIES, 8, 1_700_000_010_000L, values, false);
    assertThat(later.getSeriesList()).allMatch(s -> s.getLabelsCount() == 0);
    assertThat(later.getSeriesList()).extracting(Series::getRef).containsExactly(1, 2);
    assertThat(later.getSeries(0).getSamples(0).getTimestampMs()).isEqualTo(1_700_000_010_000L);
  }
}
