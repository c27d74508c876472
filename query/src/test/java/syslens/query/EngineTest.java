package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;
import syslens.storage.SelectHints;

class EngineTest {
  private static final Labels A0 = Labels.of("__name__", "req", "job", "a", "instance", "0");
  private static final Labels A1 = Labels.of("__name__", "req", "job", "a", "instance", "1");
  private static final Labels B0 = Labels.of("__name__", "req", "job", "b", "instance", "0");
  private static final Labels LIM0 = Labels.of("__name__", "lim", "job", "a", "instance", "0");

  private MemoryQueryable db;
  private Engine engine;

  @BeforeEach
  void setUp() {
    db = MemoryQueryable.create();
    // Counters every 10 s from 0 to 300 s: req{a,0} += 1/s, req{a,1} += 2/s, req{b,0} += 3/s.
    for (int i = 0; i <= 30; i++) {
      db.add(A0, i * 10_000L, i * 10.0);
      db.add(A1, i * 10_000L, i * 20.0);
      db.add(B0, i * 10_000L, i * 30.0);
    }
    db.add(LIM0, 0, 4);
    engine = Engine.builder(db).build();
  }

  private Map<Labels, Double> vector(String q, long t) {
    Value v = engine.instantQuery(q, t);
    assertThat(v).isInstanceOf(InstantVector.class);
    return ((InstantVector) v).samples().stream()
        .collect(Collectors.toMap(VectorSample::labels, VectorSample::value));
  }

  @Test
  void instantQuery_literals() {
    assertThat(engine.instantQuery("1 + 2 * 3", 5000)).isEqualTo(new Scalar(5000, 7));
    assertThat(engine.instantQuery("2 ^ 3 ^ 2", 0)).isEqualTo(new Scalar(0, 512));
    assertThat(engine.instantQuery("\"a\\tb\"", 7)).isEqualTo(new StringValue(7, "a\tb"));
    assertThat(((Scalar) engine.instantQuery("1 / 0", 0)).value()).isInfinite().isPositive();
    assertThat(((Scalar) engine.instantQuery("-1 / 0", 0)).value()).isInfinite().isNegative();
    assertThat(((Scalar) engine.instantQuery("0 / 0", 0)).value()).isNaN();
    assertThat(((Scalar) engine.instantQuery("5 % 0", 0)).value()).isNaN();
    assertThat(((Scalar) engine.instantQuery("7 % 3", 0)).value()).isEqualTo(1);
  }

  @Test
  void instantQuery_selectorMatchers() {
    assertThat(vector("req{job=\"a\"}", 100_000)).containsOnlyKeys(A0, A1);
    assertThat(vector("req{job!=\"a\"}", 100_000)).containsOnlyKeys(B0);
    assertThat(vector("req{instance=~\"0|2\"}", 100_000)).containsOnlyKeys(A0, B0);
    assertThat(vector("req{job!~\"a.*\"}", 100_000)).containsOnlyKeys(B0);
    assertThat(vector("{__name__=~\"req|lim\", instance=\"0\"}", 0))
        .containsOnlyKeys(A0, B0, LIM0);
    assertThat(vector("req{job=\"a\", instance=\"1\"}", 100_000)).containsEntry(A1, 200.0);
  }

  @Test
  void instantQuery_lookbackWindowIsClosedAsInPrometheus242() {
    // lim has one sample at 0: visible through exactly 300 s.
    assertThat(vector("lim", 300_000)).containsEntry(LIM0, 4.0);
    assertThat(vector("lim", 300_001)).isEmpty();
    assertThat(vector("lim", -1)).isEmpty();
  }

  @Test
  void instantQuery_customLookback() {
    Engine short1m = Engine.builder(db).lookbackDelta(Duration.ofMinutes(1)).build();
    Value v = short1m.instantQuery("lim", 61_000);
    assertThat(((InstantVector) v).samples()).isEmpty();
  }

  @Test
  void instantQuery_staleMarkerEndsSeries() {
    Labels s = Labels.of("__name__", "s");
    db.add(s, 0, 1).add(s, 10_000, StaleNaN.VALUE).add(s, 20_000, 2);
    assertThat(vector("s", 5_000)).containsEntry(s, 1.0);
    assertThat(vector("s", 15_000)).isEmpty();
    assertThat(vector("s", 25_000)).containsEntry(s, 2.0);
    // Range selectors skip the marker.
    Matrix m = (Matrix) engine.instantQuery("s[30s]", 25_000);
    assertThat(m.series().get(0).points()).extracting(Point::value).containsExactly(1.0, 2.0);
  }

  @Test
  void instantQuery_rangeSelectorReturnsMatrixWithClosedWindow() {
    Matrix m = (Matrix) engine.instantQuery("req{job=\"b\"}[30s]", 100_000);
    assertThat(m.series()).hasSize(1);
    assertThat((Object) m.series().get(0).labels()).isEqualTo(B0);
    assertThat(m.series().get(0).points()).extracting(Point::timestampMs)
        .containsExactly(70_000L, 80_000L, 90_000L, 100_000L);
  }

  @Test
  void instantQuery_offsetAndAt() {
    assertThat(vector("req{job=\"b\"} offset 1m", 100_000)).containsEntry(B0, 120.0);
    assertThat(vector("req{job=\"b\"} @ 50", 100_000)).containsEntry(B0, 150.0);
    assertThat(vector("req{job=\"b\"} @ 100 offset 20s", 0)).containsEntry(B0, 240.0);
  }

  @Test
  void rate_matchesPrometheusExtrapolation() {
    // 7 samples 30 s apart... window [40 s, 100 s] holds 40..100 (7 samples), 1/s each.
    assertThat(vector("rate(req[1m])", 100_000))
        .containsEntry(A0.withoutMetricName(), 1.0)
        .containsEntry(A1.withoutMetricName(), 2.0)
        .containsEntry(B0.withoutMetricName(), 3.0);
    assertThat(vector("increase(req{job=\"b\"}[1m])", 100_000))
        .containsEntry(B0.withoutMetricName(), 180.0);
    assertThat(vector("irate(req{job=\"a\",instance=\"1\"}[1m])", 100_000))
        .containsEntry(A1.withoutMetricName(), 2.0);
  }

  @Test
  void rate_extrapolatesToBoundariesAndClampsAtZero() {
    Labels c = Labels.of("__name__", "c");
    // Samples at 15 s, 25 s, 35 s of 5, 15, 25; window [0, 60 s].
    db.addAll(c, 15_000, 10_000, 5.0, 15.0, 25.0);
    // durationToStart 15 s > 1.1*10 s -> +5 s; but zero point is 10 s back -> start counts 5 s;
    // durationToEnd 25 s > 11 s -> +5 s. increase = 20 * (20 + 5 + 5) / 20 = 30.
    assertThat(vector("increase(c[1m])", 60_000)).containsEntry(Labels.empty(), 30.0);
    // rate = increase / 60 s.
    assertThat(vector("rate(c[1m])", 60_000).get(Labels.empty())).isCloseTo(0.5,
        within(1e-12));
    // Too few samples: nothing.
    assertThat(vector("rate(c[5s])", 35_000)).isEmpty();
  }

  @Test
  void rate_handlesCounterReset() {
    Labels c = Labels.of("__name__", "c");
    db.addAll(c, 0, 10_000, 0.0, 10.0, 20.0, 5.0, 15.0);
    // Raw increase: 15 - 0 + 20 (reset) = 35 over 40 s sampled; window [0,40] exactly covered.
    assertThat(vector("increase(c[40s])", 40_000)).containsEntry(Labels.empty(), 35.0);
    assertThat(vector("irate(c[40s])", 40_000)).containsEntry(Labels.empty(), 1.0);
  }

  @Test
  void aggregations_byAndWithoutBothPositions() {
    Labels a = Labels.of("job", "a");
    Labels b = Labels.of("job", "b");
    assertThat(vector("sum by (job) (req)", 100_000)).containsOnly(Map.entry(a, 300.0),
        Map.entry(b, 300.0));
    assertThat(vector("sum(req) by (job)", 100_000)).isEqualTo(vector("sum by (job) (req)",
        100_000));
    assertThat(vector("avg without (instance) (req)", 100_000)).containsOnly(
        Map.entry(a, 150.0), Map.entry(b, 300.0));
    assertThat(vector("min(req) without (job)", 100_000)).containsOnly(
        Map.entry(Labels.of("instance", "0"), 100.0), Map.entry(Labels.of("instance", "1"),
            200.0));
    assertThat(vector("max(req)", 100_000)).containsOnly(Map.entry(Labels.empty(), 300.0));
    assertThat(vector("count by (instance) (req)", 100_000)).containsOnly(
        Map.entry(Labels.of("instance", "0"), 2.0), Map.entry(Labels.of("instance", "1"), 1.0));
    assertThat(vector("sum by (__name__) (req)", 100_000))
        .containsOnly(Map.entry(Labels.of("__name__", "req"), 600.0));
  }

  @Test
  void binary_vectorScalarDropsNameAndKeepsForComparison() {
    assertThat(vector("req{job=\"b\"} * 2", 100_000)).containsOnly(
        Map.entry(B0.withoutMetricName(), 600.0));
    assertThat(vector("1 - req{job=\"b\"}", 100_000)).containsOnly(
        Map.entry(B0.withoutMetricName(), -299.0));
    assertThat(vector("req > 150", 100_000)).containsOnly(Map.entry(A1, 200.0),
        Map.entry(B0, 300.0));
    assertThat(vector("250 < req", 100_000)).containsOnly(Map.entry(B0, 300.0));
    assertThat(vector("req > bool 150", 100_000)).containsEntry(A0.withoutMetricName(), 0.0)
        .containsEntry(B0.withoutMetricName(), 1.0);
    assertThat(vector("-req{job=\"b\"}", 100_000)).containsOnly(
        Map.entry(B0.withoutMetricName(), -300.0));
    assertThat(vector("req{job=\"b\"} / 0", 100_000).get(B0.withoutMetricName())).isInfinite();
  }

  @Test
  void binary_vectorVectorOneToOne() {
    // Same labels except the name.
    // Default matching: all labels but the name; lim only has {a,0}.
    assertThat(vector("req / lim", 0)).containsOnly(Map.entry(A0.withoutMetricName(), 0.0));
    assertThat(vector("req{job=\"a\"} / on(job, instance) lim", 100_000))
        .containsOnly(Map.entry(Labels.of("job", "a", "instance", "0"), 25.0));
    assertThat(vector("req{job=\"b\"} / ignoring(job) lim", 100_000))
        .containsOnly(Map.entry(Labels.of("instance", "0"), 75.0));
    assertThat(vector("req{instance=\"1\"} - ignoring(instance) req{instance=\"0\"}",
        100_000)).containsOnly(Map.entry(Labels.of("job", "a"), 100.0));
    assertThatThrownBy(() -> engine.instantQuery(
        "req{job=\"a\"} - ignoring(instance) req{job=\"a\",instance=\"1\"}", 100_000))
        .hasMessage("multiple matches for labels: many-to-one matching must be explicit "
            + "(group_left/group_right)");
  }

  @Test
  void binary_duplicateMatchesFail() {
    assertThatThrownBy(() -> engine.instantQuery("req / on(job) req", 100_000))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("many-to-many matching not allowed");
  }

  @Test
  void binary_setOperators() {
    assertThat(vector("req and lim", 100_000)).containsOnlyKeys(A0);
    assertThat(vector("req and on(instance) lim", 100_000)).containsOnlyKeys(A0, B0);
    assertThat(vector("req unless on(instance) lim", 100_000)).containsOnlyKeys(A1);
    // req{a,0} has lim{a,0}'s labels (but the name), so "or" leaves it out.
    assertThat(vector("lim or req", 100_000)).containsOnlyKeys(LIM0, A1, B0);
  }

  @Test
  void functions_dropNameCollisionFails() {
    db.add(Labels.of("__name__", "x", "k", "v"), 0, 1);
    db.add(Labels.of("__name__", "y", "k", "v"), 0, 2);
    assertThatThrownBy(() -> engine.instantQuery("abs({__name__=~\"x|y\"})", 0))
        .isInstanceOf(QueryException.class)
        .hasMessage("vector cannot contain metrics with the same labelset");
  }

  @Test
  void rangeQuery_stepsGapsAndSorting() {
    Labels g = Labels.of("__name__", "g", "z", "1");
    Labels h = Labels.of("__name__", "g", "a", "1");
    db.add(g, 0, 1).add(g, 60_000, StaleNaN.VALUE).add(g, 120_000, 3);
    db.add(h, 0, 7);
    Matrix m = engine.rangeQuery("g", 0, 120_000, 30_000);
    assertThat(m.series()).extracting(RangeSeries::labels).containsExactly(h, g);
    // h: lookback keeps it alive for all steps.
    assertThat(m.series().get(0).points()).extracting(Point::timestampMs)
        .containsExactly(0L, 30_000L, 60_000L, 90_000L, 120_000L);
    // g: stale at 60 s -> gap at 60 s and 90 s.
    assertThat(m.series().get(1).points()).containsExactly(new Point(0, 1), new Point(30_000, 1),
        new Point(120_000, 3));
  }

  @Test
  void rangeQuery_scalarAndRate() {
    Matrix m = engine.rangeQuery("time() * 2", 0, 20_000, 10_000);
    assertThat(m.series()).singleElement().satisfies(s -> {
      assertThat((Object) s.labels()).isEqualTo(Labels.empty());
      assertThat(s.points()).extracting(Point::value).containsExactly(0.0, 20.0, 40.0);
    });
    Matrix r = engine.rangeQuery("sum(rate(req[1m]))", 60_000, 300_000, 60_000);
    assertThat(r.series().get(0).points()).hasSize(5).allSatisfy(p ->
        assertThat(p.value()).isCloseTo(6.0, within(1e-9)));
  }

  @Test
  void rangeQuery_opensOneQuerierAndSelectsEachSelectorOnce() {
    engine.rangeQuery("rate(req[1m]) + rate(req[1m]) + req + lim", 60_000, 300_000, 10_000);
    assertThat(db.queriersOpened).isEqualTo(1);
    // req[1m] under rate() twice shares one select; plain req has other hints (no function), so
    // storage may answer it from another tier: a select of its own; lim.
    assertThat(db.selects).isEqualTo(3);
    assertThat(db.lastMint).isEqualTo(60_000 - 300_000);
    assertThat(db.lastMaxt).isEqualTo(300_000);
  }

  @Test
  void rangeQuery_passesSelectHintsPerSelector() {
    engine.rangeQuery(Engine.parse("sum(rate(req[5m])) / lim + max_over_time(req[1h] offset 1h)"
        + " + changes(lim[10m])"), 3_600_000, 7_200_000, 60_000, true);
    assertThat(db.hints).containsExactlyInAnyOrder(
        new SelectHints(3_600_000 - 300_000, 7_200_000, 60_000, "rate", 300_000, true),
        new SelectHints(3_600_000 - 300_000, 7_200_000, 60_000, "", 0, true),
        new SelectHints(-3_600_000, 3_600_000, 60_000, "max_over_time", 3_600_000, true),
        new SelectHints(3_600_000 - 600_000, 7_200_000, 60_000, "changes", 600_000, true));
    db.hints.clear();
    // A subquery's selectors get its step; an instant query's step is 0.
    engine.instantQuery("max_over_time(rate(req[5m])[1h:10m])", 7_200_000);
    assertThat(db.hints).containsExactly(
        new SelectHints(3_600_000 - 300_000, 7_200_000, 600_000, "rate", 300_000, false));
  }

  @Test
  void rangeQuery_coarseStepShortRange_loadsOnlyTheWindowsSamples() {
    // A day of a counter every 10 s (8,640 samples, resets included); rate(x[1m]) at a 1 h step
    // needs 7 samples per step and c offset 30s 31 (5 min lookback), 25 steps: ~1,000 samples
    // within a 1,500-sample budget; the whole day (17,280 for the two selectors) is not.
    Labels c = Labels.of("__name__", "c");
    double v = 0;
    for (long t = 0; t < 86_400_000; t += 10_000) {
      v = t % 7_200_000 == 3_600_000 ? 1 : v + (t / 10_000) % 7;
      db.add(c, t, v);
    }
    Engine small = Engine.builder(db).maxSamples(1_500).build();
    Matrix m = small.rangeQuery(Engine.parse("rate(c[1m]) + c offset 30s"), 0, 86_400_000, 3_600_000);
    assertThat(m.series()).singleElement().satisfies(s -> {
      assertThat(s.points()).hasSize(24); // the first step has no earlier sample
      for (Point p : s.points()) {
        // Each step as an instant query, which loads its whole window.
        InstantVector at = (InstantVector) engine.instantQuery("rate(c[1m]) + c offset 30s", p.timestampMs());
        assertThat(p.value()).as("at %d", p.timestampMs()).isEqualTo(at.samples().get(0).value());
      }
    });
    assertThatThrownBy(() -> small.rangeQuery(Engine.parse("rate(c[1m]) + c offset 30s"), 0, 86_400_000, 60_000))
        .hasMessageContaining("too many samples");
  }

  @Test
  void rangeQuery_validation() {
    assertBadData(() -> engine.rangeQuery("req", 0, 10, 0), "zero or negative query resolution");
    assertBadData(() -> engine.rangeQuery("req", 10, 0, 1), "end timestamp must not be before");
    assertBadData(() -> engine.rangeQuery("req", 0, 11_001, 1),
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
            + "resolution (?step=XX)");
    assertThat(engine.rangeQuery("lim", 0, 11_000, 1).series()).hasSize(1);
    assertBadData(() -> engine.rangeQuery("req[1m]", 0, 10, 1),
        "invalid expression type \"range vector\" for range query, must be Scalar or instant "
            + "Vector");
    assertBadData(() -> engine.instantQuery("foo{", 0), "1:5: parse error");
    assertBadData(() -> engine.instantQuery("nope(x)", 0),
        "1:1: parse error: unknown function with name \"nope\"");
  }

  @Test
  void maxSamples_exceededFailsWithExecution() {
    Engine small = Engine.builder(db).maxSamples(50).build();
    assertThatThrownBy(() -> small.instantQuery("req[5m]", 300_000))
        .isInstanceOf(QueryException.class)
        .satisfies(e -> assertThat(((QueryException) e).kind())
            .isEqualTo(QueryException.Kind.EXECUTION))
        .hasMessage("query processing would load too many samples into memory in query "
            + "execution");
    assertThat(((Matrix) small.instantQuery("req{job=\"b\"}[5m]", 300_000)).series())
        .hasSize(1);
  }

  @Test
  void timeout_checkedBetweenSteps() {
    Clock ticking = tickingClock();
    Engine e = Engine.builder(db).clock(ticking).timeout(Duration.ofSeconds(5)).build();
    // A comparison is evaluated step by step: the deadline is checked at each.
    assertThatThrownBy(() -> e.rangeQuery("req > bool 0", 0, 300_000, 10_000))
        .isInstanceOf(QueryException.class)
        .satisfies(x -> assertThat(((QueryException) x).kind())
            .isEqualTo(QueryException.Kind.TIMEOUT));
    assertThat(e.rangeQuery("req", 0, 20_000, 10_000).series()).hasSize(3);
  }

  /** A clock that moves 1 s forward each time it is read. */
  private static Clock tickingClock() {
    return new Clock() {
      long now;

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis());
      }

      @Override
      public long millis() {
        return now += 1_000;
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    };
  }

  @Test
  void timeout_checkedWhileStreamingSamples() {
    MemoryQueryable big = MemoryQueryable.create();
    for (int i = 0; i < 20_000; i++) {
      big.add(A0, i * 1_000L, i);
    }
    Clock ticking = tickingClock();
    // One series, one step: only the samples read from storage can advance the clock.
    Engine e = Engine.builder(big).clock(ticking).timeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> e.instantQuery("sum(count_over_time(req[1d]))", 20_000_000))
        .isInstanceOf(QueryException.class)
        .satisfies(x -> assertThat(((QueryException) x).kind())
            .isEqualTo(QueryException.Kind.TIMEOUT));
  }

  @Test
  void rangeQuery_binaryOperationOverStreamedOperandsMatchesStepByStep() {
    // Arithmetic over streamed operands is computed over all steps at once; a comparison on top
    // makes the outermost operation step by step.
    Matrix all = engine.rangeQuery("(req + 1) / (req + 1) * 2 - 1", 0, 300_000, 10_000);
    Matrix stepped = engine.rangeQuery("((req + 1) / (req + 1) * 2 - 1) > -1e300", 0, 300_000,
        10_000);
    assertThat(all.series()).hasSize(3);
    assertThat(all).isEqualTo(stepped);
    // Two metric names meet once the name is dropped: the per-step check still refuses them.
    assertThatThrownBy(() -> engine.rangeQuery("{__name__=~\"req|lim\"} * 2", 0, 300_000, 10_000))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("same labelset");
  }

  @Test
  void rangeQuery_rateOverResets_sameAsScanningEveryWindow() {
    // The streamed rate skips the scan for resets in windows that hold none; windows with and
    // without resets, over a buffer long enough to be compacted, against a plain reference.
    Labels c = Labels.of("__name__", "c");
    java.util.Random r = new java.util.Random(3);
    int n = 600;
    long[] ts = new long[n];
    double[] vs = new double[n];
    double v = 0;
    for (int i = 0; i < n; i++) {
      v = r.nextInt(40) == 0 ? r.nextInt(5) : v + r.nextInt(7);
      ts[i] = i * 10_000L;
      vs[i] = v;
      db.add(c, ts[i], v);
    }
    for (String f : List.of("rate", "increase", "delta")) {
      Matrix m = engine.rangeQuery(f + "(c[15m])", 0, (n - 1) * 10_000L, 30_000);
      assertThat(m.series()).hasSize(1);
      for (Point p : m.series().get(0).points()) {
        long end = p.timestampMs();
        long start = end - 900_000;
        int lo = 0;
        while (ts[lo] < start) {
          lo++;
        }
        int hi = lo;
        while (hi < n && ts[hi] <= end) {
          hi++;
        }
        assertThat(p.value()).as("%s at %d", f, end)
            .isEqualTo(referenceRate(ts, vs, lo, hi, start, end, !f.equals("delta"), f.equals("rate")));
      }
    }
  }

  /** Prometheus 2.42's extrapolatedRate, scanning every window for resets. */
  private static double referenceRate(long[] ts, double[] vs, int lo, int hi, long start, long end,
      boolean counter, boolean rate) {
    double result = vs[hi - 1] - vs[lo];
    if (counter) {
      for (int i = lo + 1; i < hi; i++) {
        if (vs[i] < vs[i - 1]) {
          result += vs[i - 1];
        }
      }
    }
    double toStart = (ts[lo] - start) / 1000.0;
    double toEnd = (end - ts[hi - 1]) / 1000.0;
    double sampled = (ts[hi - 1] - ts[lo]) / 1000.0;
    double avg = sampled / (hi - lo - 1);
    if (counter && result > 0 && vs[lo] >= 0) {
      toStart = Math.min(toStart, sampled * (vs[lo] / result));
    }
    double to = sampled + (toStart < avg * 1.1 ? toStart : avg / 2) + (toEnd < avg * 1.1 ? toEnd : avg / 2);
    double factor = to / sampled;
    if (rate) {
      factor /= (end - start) / 1000.0;
    }
    return result * factor;
  }

  @Test
  void rangeQuery_streamedSumMatchesStepByStep() {
    // sum(rate(...)) streams series by series; the same sum through a binary operation is
    // evaluated step by step over loaded series: both must give the same values.
    Matrix streamed = engine.rangeQuery("sum by (job) (rate(req[1m]))", 60_000, 300_000, 10_000);
    Matrix stepped = engine.rangeQuery("sum by (job) (rate(req[1m]) * 1)", 60_000, 300_000, 10_000);
    assertThat(streamed.series()).isNotEmpty();
    assertThat(streamed).isEqualTo(stepped);
  }

  /**
   * Arithmetic over streamed operands is answered from its rows over the whole range (no vector
   * per step): each point is the instant query's value at that step, and the steps where the
   * instant query has no sample have no point (rows without any are left out).
   */
  @Test
  void rangeQuery_arithmeticOverWholeRange_sameAsInstantQueryAtEachStep() {
    // Matched on instance, but never present at the same step (5 min lookback): a row without points.
    for (long t = 0; t <= 50_000; t += 10_000) {
      db.add(Labels.of("__name__", "early", "instance", "0"), t, 1);
    }
    for (long t = 700_000; t <= 900_000; t += 10_000) {
      db.add(Labels.of("__name__", "late", "instance", "0"), t, 2);
    }
    assertThat(engine.rangeQuery("early / on(instance) late", 0, 900_000, 30_000).series()).isEmpty();
    assertThat(engine.rangeQuery("early * 3", 0, 900_000, 30_000).series()).hasSize(1);
    for (String q : List.of("early + on(instance) late", "late - 1", "100 * (1 - avg by (job) (rate(req[1m])))", "req / req", "2 ^ req",
        "rate(req[1m]) - rate(req[1m] offset 2m)", "req{job=\"a\"} / on(instance) req{job=\"b\"}",
        "req{instance=\"0\"} - ignoring(job) req{instance=\"1\"}")) {
      Matrix m = engine.rangeQuery(q, 0, 900_000, 30_000);
      Map<Long, Map<Labels, Double>> got = new java.util.TreeMap<>();
      for (RangeSeries rs : m.series()) {
        assertThat(rs.points()).as("%s: %s has points", q, rs.labels()).isNotEmpty();
        for (Point p : rs.points()) {
          got.computeIfAbsent(p.timestampMs(), t -> new java.util.HashMap<>()).put(rs.labels(), p.value());
        }
      }
      for (long t = 0; t <= 900_000; t += 30_000) {
        Map<Labels, Double> want = new java.util.HashMap<>();
        for (VectorSample v : ((InstantVector) engine.instantQuery(q, t)).samples()) {
          want.put(v.labels(), v.value());
        }
        assertThat(got.getOrDefault(t, Map.of())).as("%s at %d", q, t).isEqualTo(want);
      }
    }
  }

  private static final Labels B0_NO_NAME = Labels.of("job", "b", "instance", "0");

  @Test
  void subquery_alignedStepsOffsetAndAt() {
    assertThat(vector("max_over_time(rate(req{job=\"a\",instance=\"0\"}[1m])[5m:1m])", 300_000))
        .containsExactly(Map.entry(Labels.of("job", "a", "instance", "0"), 1.0));
    // Steps 0, 60 s, ..., 300 s: both ends of the range included (Prometheus 2.42).
    assertThat(vector("count_over_time(req{job=\"b\"}[5m:1m])", 300_000))
        .containsExactly(Map.entry(B0_NO_NAME, 6.0));
    // Steps aligned to multiples of the step, not to the evaluation time.
    assertThat(vector("count_over_time(req{job=\"b\"}[1m:40s])", 100_000))
        .containsExactly(Map.entry(B0_NO_NAME, 2.0));
    assertThat(vector("last_over_time(req{job=\"b\"}[1m:10s] offset 1m)", 300_000))
        .containsExactly(Map.entry(B0, 720.0));
    assertThat(vector("last_over_time(req{job=\"b\"}[1m:10s] @ 100)", 300_000))
        .containsExactly(Map.entry(B0, 300.0));
    Matrix m = engine.rangeQuery("max_over_time(req{job=\"b\"}[1m:30s])", 60_000, 120_000,
        60_000);
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).points())
        .containsExactly(new Point(60_000, 180), new Point(120_000, 360));
  }

  @Test
  void subquery_defaultStepIsTheEvaluationInterval() {
    assertThat(vector("count_over_time(req{job=\"b\"}[5m:])", 300_000))
        .containsExactly(Map.entry(B0_NO_NAME, 6.0));
    Engine halfMinute = Engine.builder(db).subqueryStep(Duration.ofSeconds(30)).build();
    Value v = halfMinute.instantQuery("count_over_time(req{job=\"b\"}[5m:])", 300_000);
    assertThat(((InstantVector) v).samples()).extracting(VectorSample::value)
        .containsExactly(11.0);
  }

  private static void assertBadData(Runnable r, String message) {
    assertThatThrownBy(r::run).isInstanceOf(QueryException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((QueryException) e).kind())
            .isEqualTo(QueryException.Kind.BAD_DATA));
  }
}
