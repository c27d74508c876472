package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LabelsTest {
  @Test
  void of_sortsByNameAndDropsEmptyValues() {
    Labels l = Labels.of("z", "1", "__name__", "up", "a", "2", "gone", "");
    assertThat(l.size()).isEqualTo(3);
    assertThat(l.name(0)).isEqualTo("__name__");
    assertThat(l.name(1)).isEqualTo("a");
    assertThat(l.get("gone")).isEmpty();
    assertThat(l.has("gone")).isFalse();
    assertThat(l.toString()).isEqualTo("up{a=\"2\", z=\"1\"}");
  }

  @Test
  void of_oddArguments_rejected() {
    assertThatThrownBy(() -> Labels.of("a")).hasMessage("nameValues: 1 strings (expected: an even number)");
  }

  @Test
  void ofSorted_sortedPairs_equalsBuiltLabels() {
    assertThat((Object) Labels.ofSorted("__name__", "up", "a", "2")).isEqualTo(Labels.of("a", "2", "__name__", "up"));
    assertThat((Object) Labels.ofSorted()).isEqualTo(Labels.empty());
  }

  @Test
  void ofSorted_unsortedOrEmptyValue_rejected() {
    assertThatThrownBy(() -> Labels.ofSorted("b", "1", "a", "2"))
        .hasMessage("label names b, a (expected: strictly increasing)");
    assertThatThrownBy(() -> Labels.ofSorted("a", "1", "a", "2"))
        .hasMessage("label names a, a (expected: strictly increasing)");
    assertThatThrownBy(() -> Labels.ofSorted("a", "")).hasMessage("label a: empty value (expected: a non-empty value)");
  }

  @Test
  void keepDropAndWithoutMetricName() {
    Labels l = Labels.of("__name__", "up", "job", "node", "instance", "h1");
    assertThat((Object) l.withoutMetricName()).isEqualTo(Labels.of("job", "node", "instance", "h1"));
    assertThat((Object) l.keep(Set.of("job"))).isEqualTo(Labels.of("job", "node"));
    assertThat((Object) l.drop(List.of("job", "__name__"))).isEqualTo(Labels.of("instance", "h1"));
  }

  @Test
  void keepDropAndWithoutMetricName_edges_sameAsBuilder() {
    Labels l = Labels.of("A", "upper", "__name__", "up", "job", "node");
    assertThat((Object) l.withoutMetricName()).isEqualTo(Labels.of("A", "upper", "job", "node"));
    assertThat((Object) Labels.of("__name__", "up").withoutMetricName()).isEqualTo(Labels.empty());
    assertThat((Object) Labels.of("job", "x").withoutMetricName()).isEqualTo(Labels.of("job", "x"));
    assertThat((Object) l.keep(Set.of("zone"))).isEqualTo(Labels.empty());
    assertThat((Object) l.drop(Set.of())).isEqualTo(l);
    assertThat((Object) l.keep(Set.of("job", "A"))).isEqualTo(Labels.of("A", "upper", "job", "node"));
    assertThat(l.keep(Set.of("job")).hashCode()).isEqualTo(Labels.of("job", "node").hashCode());
    assertThat(l.compareTo(Labels.of("A", "upper", "__name__", "up", "job", "node"))).isZero();
    assertThat(l.compareTo(l.withoutMetricName())).isNotZero();
  }

  @Property
  void builder_orderOfSetsDoesNotMatter(@ForAll @Size(max = 10) List<@net.jqwik.api.constraints.AlphaChars @net.jqwik.api.constraints.StringLength(min = 1, max = 5) String> names) {
    Labels.Builder fwd = Labels.builder();
    Labels.Builder rev = Labels.builder();
    for (String n : names) {
      fwd.set(n, n + "v");
    }
    for (int i = names.size() - 1; i >= 0; i--) {
      rev.set(names.get(i), names.get(i) + "v");
    }
    Labels a = fwd.build();
    Labels b = rev.build();
    assertThat((Object) a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(a.compareTo(b)).isZero();
    for (int i = 1; i < a.size(); i++) {
      assertThat(a.name(i - 1)).isLessThan(a.name(i));
    }
  }
}
