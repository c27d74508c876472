package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopedQueryableTest {
  private static final Series A1 = series("up", "node", "a1", "group", "team-a");
  private static final Series A2 = series("up", "node", "a2", "group", "team-a", "vcenter", "vc1");
  private static final Series B1 = series("up", "node", "b1", "group", "team-b", "secret", "x");
  private static final Series C1 = series("up", "node", "c1", "vcenter", "vc1");

  /** Storage as the contract says: the matching series, sorted by labels, samples untouched. */
  private static final Queryable STORE = (mint, maxt) -> new Querier() {
    @Override
    public SeriesSet select(List<Matcher> matchers) {
      List<Series> out = new ArrayList<>();
      for (Series s : List.of(A1, A2, B1, C1)) {
        if (matchers.stream().allMatch(m -> m.matches(s.labels()))) {
          out.add(s);
        }
      }
      out.sort((x, y) -> x.labels().compareTo(y.labels()));
      return SeriesSet.of(out);
    }

    @Override
    public List<String> labelNames() {
      return List.of("__name__", "group", "node", "secret", "vcenter");
    }

    @Override
    public List<String> labelValues(String name) {
      return List.of("everything");
    }

    @Override
    public void close() {}
  };

  private static Series series(String name, String... pairs) {
    String[] all = new String[pairs.length + 2];
    all[0] = Labels.METRIC_NAME;
    all[1] = name;
    System.arraycopy(pairs, 0, all, 2, pairs.length);
    Labels l = Labels.of(all);
    return new Series() {
      @Override
      public Labels labels() {
        return l;
      }

      @Override
      public SampleIterator iterator() {
        throw new UnsupportedOperationException("not read here");
      }
    };
  }

  private static List<Series> select(Queryable q, Matcher... m) {
    List<Series> out = new ArrayList<>();
    try (Querier qr = q.querier(0, 1)) {
      qr.select(List.of(m)).forEach(out::add);
    }
    return out;
  }

  @Test
  void of_nullScope_isTheStorageItself() {
    assertThat(ScopedQueryable.of(STORE, null)).isSameAs(STORE);
  }

  @Test
  void select_regexForEverything_returnsOnlyScopedSeries_sameObjects() {
    Queryable q = ScopedQueryable.of(STORE, List.of(List.of(Matcher.equal("group", "team-a"))));
    assertThat(select(q, Matcher.regex("__name__", ".+"))).containsExactly(A1, A2);
    assertThat(select(q, Matcher.equal("group", "team-b"))).isEmpty();
  }

  @Test
  void select_twoSelectors_unionSortedWithoutDuplicates() {
    Queryable q = ScopedQueryable.of(STORE, List.of(List.of(Matcher.equal("group", "team-a")),
        List.of(Matcher.equal("vcenter", "vc1"))));
    List<Series> got = select(q, Matcher.regex("__name__", ".+"));
    assertThat(got).containsExactly(A1, A2, C1); // A2 matches both selectors: once
    try (Querier qr = q.querier(0, 1)) {
      assertThat(qr.select(SelectHints.raw(0, 1), List.of(Matcher.equal("node", "c1")))).containsExactly(C1);
    }
  }

  @Test
  void labelNamesAndValues_comeFromScopedSeriesOnly() {
    Queryable q = ScopedQueryable.of(STORE, List.of(List.of(Matcher.regex("group", "team-a"))));
    try (Querier qr = q.querier(0, 1)) {
      assertThat(qr.labelNames()).containsExactly("__name__", "group", "node", "vcenter");
      assertThat(qr.labelValues("node")).containsExactly("a1", "a2");
      assertThat(qr.labelValues("secret")).isEmpty();
    }
  }

  @Test
  void of_emptyScope_showsNothing_andEmptyMatchingSelectorIsRefused() {
    assertThat(select(ScopedQueryable.of(STORE, List.of()), Matcher.regex("__name__", ".+"))).isEmpty();
    assertThatThrownBy(() -> ScopedQueryable.of(STORE, List.of(List.of(Matcher.regex("group", ".*")))))
        .hasMessageContaining("expected: at least one matcher");
  }

  @Test
  void visible_matchesAnySelector() {
    List<List<Matcher>> scope = List.of(List.of(Matcher.equal("group", "team-a")));
    assertThat(ScopedQueryable.visible(scope, A1.labels())).isTrue();
    assertThat(ScopedQueryable.visible(scope, B1.labels())).isFalse();
    assertThat(ScopedQueryable.visible(null, B1.labels())).isTrue();
  }
}
