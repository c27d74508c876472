package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import syslens.query.Val.Sample;
import syslens.storage.Labels;

class AggregationsTest {
  /** topk/bottomk's partial selection keeps exactly what a stable sort puts first, ties included. */
  @Property(tries = 300)
  void first_equalsStableSortPrefix(@ForAll @Size(max = 300) List<@IntRange(min = -1, max = 20) Integer> values,
      @ForAll @IntRange(min = 1, max = 40) int k) {
    List<Sample> in = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      double v = values.get(i) < 0 ? Double.NaN : values.get(i);
      in.add(new Sample(Labels.of("i", Integer.toString(i)), v, 0));
    }
    Comparator<Sample> desc = ((Comparator<Sample>) (x, y) -> Aggregations.compareNanLow(x.v(), y.v())).reversed();
    List<Sample> sorted = new ArrayList<>(in);
    sorted.sort(desc);
    assertThat(Aggregations.first(in, desc, k)).containsExactlyElementsOf(sorted.subList(0, Math.min(k, sorted.size())));
  }
}
