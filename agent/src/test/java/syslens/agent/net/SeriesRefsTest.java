package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Sample;
import syslens.agent.v1.lite.Series;

class SeriesRefsTest {
  private static Series series(String name, String mode, double v) {
    return Series.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addLabels(Label.newBuilder().setName("mode").setValue(mode))
        .addSamples(Sample.newBuilder().setTimestampMs(1000).setValue(v)).build();
  }

  private static MetricBatch batch(long seq, Series... s) {
    return MetricBatch.newBuilder().setSeq(seq).addAllSeries(java.util.List.of(s)).build();
  }

  @Test
  void encode_firstBatchDefinesRefs_laterBatchesSendTheRefAlone() {
    SeriesRefs refs = new SeriesRefs();
    MetricBatch first = refs.encode(batch(1, series("cpu", "idle", 1), series("cpu", "user", 2)));
    assertThat(first.getSeriesList()).extracting(Series::getRef).containsExactly(1, 2);
    assertThat(first.getSeries(1).getLabelsCount()).isEqualTo(2);

    MetricBatch second = refs.encode(batch(2, series("cpu", "user", 3), series("cpu", "system", 4), series("cpu", "idle", 5)));
    assertThat(second.getSeq()).isEqualTo(2);
    assertThat(second.getSeriesList()).extracting(Series::getRef).containsExactly(2, 3, 1);
    assertThat(second.getSeries(0).getLabelsCount()).as("known: the ref alone").isZero();
    assertThat(second.getSeries(0).getSamples(0).getValue()).isEqualTo(3);
    assertThat(second.getSeries(1).getLabelsCount()).as("new: defines ref 3").isEqualTo(2);
    assertThat(refs.size()).isEqualTo(3);

    assertThat(new SeriesRefs().encode(batch(3, series("cpu", "user", 6))).getSeries(0).getLabelsCount())
        .as("a new stream starts without refs").isEqualTo(2);
  }
}
