package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import syslens.report.Fetch.NodeSeries;

/** The fast paths of the report's arithmetic agree with the plain ways of computing the same. */
class StatsTest {
  @Test
  void percentile_matchesSortingForRandomArraysWithTiesAndNaN() {
    Random r = new Random(42);
    for (int round = 0; round < 2000; round++) {
      double[] v = new double[1 + r.nextInt(900)];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextInt(5) == 0 ? Math.floor(r.nextDouble() * 4) : r.nextInt(50) == 0 ? Double.NaN : r.nextGaussian();
      }
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      for (double p : new double[] {1, 50, 95, 100}) {
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        assertThat(Double.valueOf(Stats.percentile(v, p))).isEqualTo(Double.valueOf(sorted[Math.max(0, rank - 1)]));
      }
    }
  }

  @Test
  void hours_matchZonedDateTimeAcrossDaylightSavingChanges() {
    for (String z : List.of("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe")) {
      ZoneId zone = ZoneId.of(z);
      Utilization.Hours hours = new Utilization.Hours(zone);
      long start = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
      for (int pass = 0; pass < 2; pass++) { // a second node starts from the beginning again
        for (long t = start; t < start + 300L * 86_400_000L; t += 900_000L) {
          assertThat(hours.of(t)).as(z + " " + Instant.ofEpochMilli(t)).isEqualTo(Instant.ofEpochMilli(t).atZone(zone).getHour());
        }
      }
    }
  }

  @Test
  void meanLine_averagesEachTimestampOverTheSeriesThatHaveIt() {
    NodeSeries a = new NodeSeries("a", "g", new long[] {10, 20, 30}, new double[] {1, 2, 3});
    NodeSeries b = new NodeSeries("b", "g", new long[] {20, 40}, new double[] {4, 8});
    Report.Line l = Data.meanLine("g", List.of(a, b));
    assertThat(l.t()).containsExactly(10, 20, 30, 40);
    assertThat(l.v()).containsExactly(1, 3, 3, 8);
  }
}
