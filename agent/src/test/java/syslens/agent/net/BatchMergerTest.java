package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Sample;
import syslens.agent.v1.lite.Series;

class BatchMergerTest {
  private static Series series(String name, long t, double v) {
    return Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addSamples(Sample.newBuilder().setTimestampMs(t).setValue(v)).build();
  }

  private static MetricBatch round(long seq, long t, String... names) {
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(seq);
    for (String n : names) {
      b.addSeries(series(n, t, seq));
    }
    return b.build();
  }

  private static List<Long> stamps(MetricBatch b, String name) {
    return b.getSeriesList().stream().filter(s -> s.getLabelsCount() > 0 && s.getLabels(0).getValue().equals(name))
        .flatMap(s -> s.getSamplesList().stream()).map(Sample::getTimestampMs).toList();
  }

  @Test
  void build_rounds_eachSeriesOnceWithItsSamplesInRoundOrder_underTheLastSeq() {
    BatchMerger m = new BatchMerger();
    m.add(round(4, 1000, "a", "b"));
    m.add(round(5, 2000, "b", "c"));
    m.add(round(7, 3000, "a", "b", "c"));
    MetricBatch out = m.build();

    assertThat(out.getSeq()).isEqualTo(7);
    assertThat(out.getSeriesList()).extracting(s -> s.getLabels(0).getValue()).containsExactly("a", "b", "c");
    assertThat(stamps(out, "a")).containsExactly(1000L, 3000L);
    assertThat(stamps(out, "b")).containsExactly(1000L, 2000L, 3000L);
    assertThat(stamps(out, "c")).containsExactly(2000L, 3000L);
    assertThat(out.getSeries(1).getSamplesList()).extracting(Sample::getValue).containsExactly(4.0, 5.0, 7.0);
    assertThat(m.batches()).isEqualTo(3);
  }

  @Test
  void add_seriesAlreadyByRef_keptAsTheyAre() {
    BatchMerger m = new BatchMerger();
    Series byRef = Series.newBuilder().setRef(9).addSamples(Sample.newBuilder().setTimestampMs(1000).setValue(1)).build();
    m.add(MetricBatch.newBuilder().setSeq(1).addSeries(byRef).build());
    m.add(MetricBatch.newBuilder().setSeq(2).addSeries(byRef).build());
    assertThat(m.build().getSeriesList()).containsExactly(byRef, byRef);
  }

  @Test
  void fits_boundedByBatchesAndSamples_theFirstAlwaysFits() {
    BatchMerger rounds = new BatchMerger();
    for (int i = 1; i <= BatchMerger.MAX_BATCHES; i++) {
      assertThat(rounds.fits(round(i, i * 1000L, "a"))).isTrue();
      rounds.add(round(i, i * 1000L, "a"));
    }
    assertThat(rounds.fits(round(BatchMerger.MAX_BATCHES + 1, 0, "a"))).as("one round too many").isFalse();

    String[] wide = new String[BatchMerger.MAX_SERIES];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = "w" + i;
    }
    BatchMerger series = new BatchMerger();
    series.add(round(1, 1000, wide));
    assertThat(series.fits(round(2, 2000, wide))).as("the same series again").isTrue();
    assertThat(series.fits(round(2, 2000, "another"))).as("over " + BatchMerger.MAX_SERIES + " series").isFalse();

    String[] names = new String[1500];
    for (int i = 0; i < names.length; i++) {
      names[i] = "s" + i;
    }
    BatchMerger samples = new BatchMerger();
    int full = BatchMerger.MAX_SAMPLES / names.length; // 13 rounds: 19,500 samples
    for (int r = 1; r <= full; r++) {
      samples.add(round(r, r * 1000L, names));
    }
    assertThat(samples.fits(round(full + 1, 0, names))).as("over " + BatchMerger.MAX_SAMPLES + " samples").isFalse();
    assertThat(samples.fits(round(full + 1, 0, "a"))).isTrue();
  }

  @Test
  void add_seqNotIncreasing_refused() {
    BatchMerger m = new BatchMerger();
    m.add(round(5, 1000, "a"));
    assertThatThrownBy(() -> m.add(round(5, 2000, "a"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq 5 after 5");
    assertThatThrownBy(() -> new BatchMerger().build()).isInstanceOf(IllegalStateException.class);
  }
}
