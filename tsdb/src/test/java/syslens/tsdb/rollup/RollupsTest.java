package syslens.tsdb.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.chunkenc.RollupChunk.Column;

class RollupsTest {
  static final double STALE = Double.longBitsToDouble(Rollups.STALE_NAN_BITS);

  @Test
  void fromRaw_counterReset_increaseCountsValueAfterReset() {
    // 10, 15 | 3 (reset), 7 in the next 5-minute interval.
    RollupChunk.Points p = Rollups.fromRaw(new long[] {0, 60_000, 300_000, 360_000},
        new double[] {10, 15, 3, 7}, 4, 300_000);
    assertThat(p.timestamps()).containsExactly(60_000, 360_000);
    assertThat(p.column(Column.INCREASE)).containsExactly(5, 3 + 4);
    assertThat(p.column(Column.LAST)).containsExactly(15, 7);
    assertThat(p.column(Column.MIN)).containsExactly(10, 3);
    assertThat(p.column(Column.COUNT)).containsExactly(2, 2);
    assertThat(RollupFunctions.eval("increase", p, -1, 599_999)).isEqualTo(12);
  }

  @Test
  void fromRaw_staleMarkersAndNaN_skippedOrIgnoredLikePrometheus() {
    RollupChunk.Points p = Rollups.fromRaw(new long[] {0, 1000, 2000, 3000},
        new double[] {Double.NaN, 4, STALE, 2}, 4, 300_000);
    assertThat(p.size()).isEqualTo(1);
    assertThat(p.column(Column.COUNT)).containsExactly(3); // the stale marker is not a sample
    assertThat(p.column(Column.MIN)).containsExactly(2);
    assertThat(p.column(Column.MAX)).containsExactly(4);
    assertThat(p.column(Column.SUM)[0]).isNaN();
  }

  @Test
  void fromRollups_hourFromFiveMinutes_equalsHourFromRaw() {
    long[] ts = new long[720];
    double[] vs = new double[720];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 10_000L * i;
      vs[i] = i % 100 == 99 ? 0 : i * 3; // a reset every 100 samples
    }
    RollupChunk.Points direct = Rollups.fromRaw(ts, vs, ts.length, 3_600_000);
    RollupChunk.Points twoStep = Rollups.fromRollups(Rollups.fromRaw(ts, vs, ts.length, 300_000), 3_600_000);
    assertThat(twoStep.timestamps()).containsExactly(direct.timestamps());
    for (Column c : Column.values()) {
      assertThat(twoStep.column(c)).as(c.name()).containsExactly(direct.column(c));
    }
  }

  @Test
  void eval_unknownFunction_rejectedNamingTheFunctions() {
    RollupChunk.Points p = Rollups.fromRaw(new long[] {1}, new double[] {1}, 1, 300_000);
    assertThatThrownBy(() -> RollupFunctions.eval("quantile_over_time", p, 0, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantile_over_time")
        .hasMessageContaining("avg_over_time");
  }
}
