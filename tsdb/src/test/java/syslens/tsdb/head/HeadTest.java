package syslens.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.SampleIterator;
import syslens.storage.Series;

class HeadTest {
  static final Labels A = Labels.of("__name__", "up", "job", "node", "instance", "a");
  static final Labels B = Labels.of("__name__", "up", "job", "node", "instance", "b", "foo", "bar");
  static final Labels C = Labels.of("__name__", "up", "job", "api", "instance", "c", "foo", "baz");
  static final Labels D = Labels.of("__name__", "load", "job", "node", "instance", "a");

  final Head head = Head.create(120, CommitLog.NONE);

  private void fill() {
    Appender app = head.appender();
    for (Labels l : List.of(A, B, C, D)) {
      for (int i = 0; i < 5; i++) {
        assertThat(app.append(l, 1000L * i, i)).isEqualTo(AppendStatus.OK);
      }
    }
    app.commit();
  }

  private List<Labels> select(Matcher... ms) {
    List<Labels> out = new ArrayList<>();
    for (Series s : head.querier(0, 10_000).select(List.of(ms))) {
      out.add(s.labels());
    }
    return out;
  }

  @Test
  void select_equal_usesPostings() {
    fill();
    assertThat(select(Matcher.equal("__name__", "up"))).containsExactly(B, C, A);
    assertThat(select(Matcher.equal("__name__", "up"), Matcher.equal("job", "node"))).containsExactly(B, A);
    assertThat(select(Matcher.equal("job", "nope"))).isEmpty();
    assertThat(select(Matcher.equal("nolabel", "x"))).isEmpty();
  }

  @Test
  void select_notEqual_includesSeriesWithoutLabel() {
    fill();
    assertThat(select(Matcher.equal("__name__", "up"), Matcher.notEqual("foo", "bar")))
        .containsExactly(C, A);
  }

  @Test
  void select_regexAndNotRegex() {
    fill();
    assertThat(select(Matcher.regex("job", "no.*"))).containsExactly(D, B, A);
    assertThat(select(Matcher.regex("foo", "ba."))).containsExactly(B, C);
    assertThat(select(Matcher.equal("__name__", "up"), Matcher.notRegex("instance", "a|b")))
        .containsExactly(C);
    // A positive not-regex that does not match "" selects only series having the label.
    assertThat(select(Matcher.notRegex("foo", "|bar"))).containsExactly(C);
    assertThat(select(Matcher.notEqual("foo", ""))).containsExactly(B, C);
  }

  @Test
  void select_emptyMatchers_selectSeriesWithoutLabel() {
    fill();
    assertThat(select(Matcher.equal("__name__", "up"), Matcher.equal("foo", ""))).containsExactly(A);
    assertThat(select(Matcher.equal("__name__", "up"), Matcher.regex("foo", "bar|")))
        .containsExactly(B, A);
    assertThat(select(Matcher.equal("job", "node"), Matcher.equal("missing", ""))).containsExactly(D, B, A);
  }

  @Test
  void select_everyMatcherMatchesEmpty_throws() {
    fill();
    assertThatThrownBy(() -> select(Matcher.equal("foo", ""), Matcher.regex("job", ".*")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("matchers: [foo=\"\", job=~\".*\"] (expected: at least one matcher that does not"
            + " match the empty string)");
    assertThatThrownBy(() -> select()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void select_restrictsSamplesToRange() {
    fill();
    List<long[]> got = new ArrayList<>();
    for (Series s : head.querier(1000, 3000).select(List.of(Matcher.equal("instance", "c")))) {
      SampleIterator it = s.iterator();
      while (it.next()) {
        got.add(new long[] {it.timestamp(), (long) it.value()});
      }
    }
    assertThat(got).containsExactly(new long[] {1000, 1}, new long[] {2000, 2}, new long[] {3000, 3});
    assertThat(head.querier(5000, 9000).select(List.of(Matcher.equal("instance", "c")))).isEmpty();
  }

  @Test
  void append_outOfOrderAndDuplicate_rejectedAndCounted() {
    Appender app = head.appender();
    assertThat(app.append(A, 1000, 1)).isEqualTo(AppendStatus.OK);
    assertThat(app.append(A, 2000, 2)).isEqualTo(AppendStatus.OK);
    assertThat(app.append(A, 1500, 9)).isEqualTo(AppendStatus.OUT_OF_ORDER); // vs staged
    assertThat(app.append(A, 2000, 3)).isEqualTo(AppendStatus.DUPLICATE_TIMESTAMP);
    assertThat(app.append(A, 2000, 2)).isEqualTo(AppendStatus.OK); // same value: no-op
    app.commit();
    assertThat(app.append(A, 1000, 1)).isEqualTo(AppendStatus.OUT_OF_ORDER); // vs committed
    assertThat(app.append(A, 2000, 5)).isEqualTo(AppendStatus.DUPLICATE_TIMESTAMP);
    assertThat(app.append(A, 2000, 2)).isEqualTo(AppendStatus.OK);
    app.commit();
    assertThat(head.rejectedOutOfOrder()).isEqualTo(2);
    assertThat(head.rejectedDuplicate()).isEqualTo(2);
    assertThat(head.samplesAppended()).isEqualTo(2);
    assertThat(head.minTime()).isEqualTo(1000);
    assertThat(head.maxTime()).isEqualTo(2000);
  }

  @Test
  void append_duplicateNaNBits_distinguishesStaleMarker() {
    Appender app = head.appender();
    app.append(A, 1000, Double.NaN);
    app.commit();
    assertThat(app.append(A, 1000, Double.NaN)).isEqualTo(AppendStatus.OK);
    assertThat(app.append(A, 1000, Double.longBitsToDouble(0x7ff0000000000002L)))
        .isEqualTo(AppendStatus.DUPLICATE_TIMESTAMP);
  }

  @Test
  void append_afterRolledBackBatch_checksAgainstStoredSamplesOnly() {
    Appender app = head.appender();
    app.append(A, 100, 1);
    app.commit();
    Appender first = head.appender();
    assertThat(first.append(A, 1000, 2)).isEqualTo(AppendStatus.OK);
    first.rollback(); // its staging arrays go back to the pool, to be taken by the next appender
    Appender next = head.appender();
    assertThat(next.append(A, 500, 3)).isEqualTo(AppendStatus.OK); // newer than 100; 1000 was never stored
    next.commit();
    assertThat(samples(A)).containsExactly(100L, 1.0, 500L, 3.0);
  }

  @Test
  void appenders_interleavedAndLarge_eachCommitsOnlyItsOwnSamples() {
    Appender a = head.appender();
    Appender b = head.appender();
    a.append(A, 1000, 1);
    b.append(B, 1000, 2);
    a.commit();
    Appender c = head.appender(); // may reuse a's staging arrays while b still holds its own
    c.append(C, 1000, 3);
    b.append(B, 2000, 4);
    c.rollback();
    b.commit();
    Appender big = head.appender(); // more samples than a pooled set keeps
    int n = Head.SCRATCH_MAX_SAMPLES + 100;
    for (int i = 0; i < n; i++) {
      assertThat(big.append(D, 10_000L + i, i)).isEqualTo(AppendStatus.OK);
    }
    big.commit();
    Appender after = head.appender();
    assertThat(after.append(D, 10_000L + n, n)).isEqualTo(AppendStatus.OK);
    assertThat(after.append(D, 10_000L, 0)).isEqualTo(AppendStatus.OUT_OF_ORDER);
    after.commit();
    assertThat(samples(A)).containsExactly(1000L, 1.0);
    assertThat(samples(B)).containsExactly(1000L, 2.0, 2000L, 4.0);
    assertThat(select(Matcher.equal("instance", "c"))).isEmpty();
    assertThat(head.samplesAppended()).isEqualTo(3 + n + 1);
  }

  /** Timestamps and values of {@code labels}' samples, alternating. */
  private List<Number> samples(Labels labels) {
    List<Number> out = new ArrayList<>();
    for (Series s : head.querier(0, Long.MAX_VALUE / 2).select(labelMatchers(labels))) {
      if (!s.labels().equals(labels)) {
        continue;
      }
      SampleIterator it = s.iterator();
      while (it.next()) {
        out.add(it.timestamp());
        out.add(it.value());
      }
    }
    return out;
  }

  private static List<Matcher> labelMatchers(Labels labels) {
    List<Matcher> ms = new ArrayList<>();
    labels.forEach((k, v) -> ms.add(Matcher.equal(k, v)));
    return ms;
  }

  @Test
  void commit_concurrentCommitMovedSeries_dropsAndCounts() {
    Appender first = head.appender();
    Appender second = head.appender();
    assertThat(first.append(A, 1000, 1)).isEqualTo(AppendStatus.OK);
    assertThat(second.append(A, 2000, 2)).isEqualTo(AppendStatus.OK);
    second.commit();
    first.commit();
    assertThat(head.rejectedOutOfOrder()).isEqualTo(1);
    assertThat(head.samplesAppended()).isEqualTo(1);
  }

  @Test
  void append_invalidLabels_rejectedAndCounted() {
    Appender app = head.appender();
    assertThat(app.append(Labels.of("job", "x"), 1, 1)).isEqualTo(AppendStatus.INVALID_LABELS);
    assertThat(app.append(Labels.of("__name__", "1bad"), 1, 1)).isEqualTo(AppendStatus.INVALID_LABELS);
    assertThat(app.append(Labels.of("__name__", "ok", "bad-name", "v"), 1, 1))
        .isEqualTo(AppendStatus.INVALID_LABELS);
    app.commit();
    assertThat(head.rejectedInvalid()).isEqualTo(3);
    assertThat(head.numSeries()).isZero();
  }

  @Test
  void rollback_dropsStagedSamples() {
    Appender app = head.appender();
    app.append(A, 1000, 1);
    app.rollback();
    app.commit();
    assertThat(head.samplesAppended()).isZero();
    assertThat(select(Matcher.equal("instance", "a"))).isEmpty();
  }

  @Test
  void append_cutsChunksAtChunkSize_andIteratorSeeksAcrossThem() {
    Appender app = head.appender();
    for (int i = 0; i < 300; i++) {
      app.append(A, 10_000L * i, i);
    }
    app.commit();
    MemSeries s = head.series().iterator().next();
    assertThat(s.closedChunks()).hasSize(2);
    assertThat(s.closedChunks().get(0).minTime()).isZero();
    assertThat(s.closedChunks().get(0).maxTime()).isEqualTo(10_000L * 119);
    Series series = head.querier(15_000, 2_500_000).select(List.of(Matcher.equal("instance", "a")))
        .iterator().next();
    SampleIterator it = series.iterator();
    assertThat(it.next()).isTrue();
    assertThat(it.timestamp()).isEqualTo(20_000);
    assertThat(it.seek(1_505_000)).isTrue();
    assertThat(it.timestamp()).isEqualTo(1_510_000);
    assertThat(it.value()).isEqualTo(151);
    assertThat(it.seek(0)).isTrue();
    assertThat(it.timestamp()).isEqualTo(1_510_000);
    int n = 1;
    long last = 0;
    while (it.next()) {
      n++;
      last = it.timestamp();
    }
    assertThat(last).isEqualTo(2_500_000);
    assertThat(n).isEqualTo(100);
    SampleIterator fresh = series.iterator();
    assertThat(fresh.seek(2_990_000)).isFalse();
  }

  @Test
  void labelNamesAndValues_onlyInRange() {
    fill();
    Appender app = head.appender();
    app.append(Labels.of("__name__", "late", "zone", "z1"), 50_000, 1);
    app.commit();
    assertThat(head.querier(0, 10_000).labelNames()).containsExactly("__name__", "foo", "instance", "job");
    assertThat(head.querier(0, 100_000).labelNames())
        .containsExactly("__name__", "foo", "instance", "job", "zone");
    assertThat(head.querier(0, 10_000).labelValues("__name__")).containsExactly("load", "up");
    assertThat(head.querier(0, 60_000).labelValues("__name__")).containsExactly("late", "load", "up");
    assertThat(head.querier(0, 10_000).labelValues("nope")).isEmpty();
  }
}
