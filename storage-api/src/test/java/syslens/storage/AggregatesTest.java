package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AggregatesTest {
  /** The definition: at each smallest remaining timestamp the earliest part having it wins. */
  static Aggregates reference(List<Aggregates> parts, boolean[] raw) {
    List<long[]> ts = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    int[] pos = new int[parts.size()];
    double prevLast = Double.NaN;
    while (true) {
      int best = -1;
      long bt = Long.MAX_VALUE;
      for (int k = 0; k < parts.size(); k++) {
        Aggregates a = parts.get(k);
        if (pos[k] < a.size() && a.timestamps()[pos[k]] < bt) {
          best = k;
          bt = a.timestamps()[pos[k]];
        }
      }
      if (best < 0) {
        break;
      }
      Aggregates a = parts.get(best);
      int i = pos[best];
      double[] row;
      if (raw[best]) {
        double v = a.last()[i];
        double inc = rows.isEmpty() ? 0 : v >= prevLast ? v - prevLast : v;
        row = new double[] {v, v, v, 1, v, inc};
      } else {
        row = new double[] {a.min()[i], a.max()[i], a.sum()[i], a.count()[i], a.last()[i], a.increase()[i]};
      }
      prevLast = row[4];
      ts.add(new long[] {bt});
      rows.add(row);
      for (int k = 0; k < parts.size(); k++) {
        Aggregates o = parts.get(k);
        while (pos[k] < o.size() && o.timestamps()[pos[k]] == bt) {
          pos[k]++;
        }
      }
    }
    int n = rows.size();
    double[][] c = new double[6][n];
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = ts.get(i)[0];
      for (int k = 0; k < 6; k++) {
        c[k][i] = rows.get(i)[k];
      }
    }
    return new Aggregates(t, c[0], c[1], c[2], c[3], c[4], c[5]);
  }

  static Aggregates part(Random r, int points, long spacing) {
    long[] t = new long[points];
    double[][] c = new double[6][points];
    long at = r.nextInt(50);
    for (int i = 0; i < points; i++) {
      at += 1 + r.nextInt((int) spacing);
      t[i] = at;
      for (int k = 0; k < 6; k++) {
        c[k][i] = r.nextInt(1000);
      }
    }
    return new Aggregates(t, c[0], c[1], c[2], c[3], c[4], c[5]);
  }

  static void assertSame(Aggregates got, Aggregates want) {
    assertThat(got.timestamps()).containsExactly(want.timestamps());
    assertThat(got.min()).containsExactly(want.min());
    assertThat(got.max()).containsExactly(want.max());
    assertThat(got.sum()).containsExactly(want.sum());
    assertThat(got.count()).containsExactly(want.count());
    assertThat(got.last()).containsExactly(want.last());
    assertThat(got.increase()).containsExactly(want.increase());
  }

  @Property(tries = 200)
  void merge_overlappingPartsWithRawOnes_equalsTheEarliestPartWinsDefinition(@ForAll long seed) {
    Random r = new Random(seed);
    int k = 1 + r.nextInt(8);
    List<Aggregates> parts = new ArrayList<>();
    boolean[] raw = new boolean[k];
    for (int i = 0; i < k; i++) {
      parts.add(part(r, r.nextInt(30), 1 + r.nextInt(5)));
      raw[i] = r.nextInt(3) == 0;
    }
    assertSame(Aggregates.merge(parts, raw), reference(parts, raw));
  }

  @Property(tries = 100)
  void merge_disjointPartsInAnyOrder_equalsTheDefinition(@ForAll long seed) {
    Random r = new Random(seed);
    int k = 1 + r.nextInt(8);
    List<Aggregates> parts = new ArrayList<>();
    boolean[] raw = new boolean[k];
    long offset = 0;
    for (int i = 0; i < k; i++) {
      Aggregates p = part(r, r.nextInt(20), 1 + r.nextInt(5));
      long[] t = p.timestamps().clone();
      for (int j = 0; j < t.length; j++) {
        t[j] += offset;
      }
      offset = t.length == 0 ? offset : t[t.length - 1] + (r.nextBoolean() ? 0 : 1); // touching or apart
      parts.add(new Aggregates(t, p.min(), p.max(), p.sum(), p.count(), p.last(), p.increase()));
      raw[i] = r.nextInt(3) == 0;
    }
    java.util.Collections.shuffle(parts, r);
    assertSame(Aggregates.merge(parts, raw), reference(parts, raw));
  }

  @Property(tries = 200)
  void merge_someColumns_equalsTheFullMergeInThoseAndNaNElsewhere(@ForAll long seed) {
    Random r = new Random(seed);
    int k = 1 + r.nextInt(8);
    List<Aggregates> parts = new ArrayList<>();
    boolean[] raw = new boolean[k];
    long offset = 0;
    boolean disjoint = r.nextBoolean(); // the append path, else the heap path
    for (int i = 0; i < k; i++) {
      Aggregates p = part(r, r.nextInt(30), 1 + r.nextInt(5));
      long[] t = p.timestamps().clone();
      for (int j = 0; j < t.length && disjoint; j++) {
        t[j] += offset;
      }
      offset = t.length == 0 ? offset : t[t.length - 1] + 1;
      parts.add(new Aggregates(t, p.min(), p.max(), p.sum(), p.count(), p.last(), p.increase()));
      raw[i] = r.nextInt(3) == 0;
    }
    int columns = r.nextInt(Aggregates.ALL_COLUMNS + 1);
    Aggregates full = Aggregates.merge(parts, raw);
    Aggregates got = Aggregates.merge(parts, raw, columns);
    assertThat(got.timestamps()).containsExactly(full.timestamps());
    double[][] g = {got.min(), got.max(), got.sum(), got.count(), got.last(), got.increase()};
    double[][] f = {full.min(), full.max(), full.sum(), full.count(), full.last(), full.increase()};
    for (int c = 0; c < 6; c++) {
      if ((columns & (1 << c)) != 0) {
        assertThat(g[c]).as("column %d of set %s", c, Integer.toBinaryString(columns)).containsExactly(f[c]);
      } else if (c != 4 || (columns & 32) == 0) { // with increase, last is kept
        assertThat(java.util.Arrays.stream(g[c]).allMatch(Double::isNaN)).as("column %d left out", c).isTrue();
      }
    }
  }

  @Test
  void merge_twoYearsOfDayBlocksShuffled_allPointsInTimeOrder() {
    // 730 one-day parts of 24 hourly points (a 2-year series of 1-hour rollup blocks), shuffled.
    List<Aggregates> parts = new ArrayList<>();
    for (int d = 0; d < 730; d++) {
      long[] t = new long[24];
      double[][] c = new double[6][24];
      for (int h = 0; h < 24; h++) {
        t[h] = (d * 24L + h) * 3_600_000L;
        for (int k = 0; k < 6; k++) {
          c[k][h] = d * 24 + h;
        }
      }
      parts.add(new Aggregates(t, c[0], c[1], c[2], c[3], c[4], c[5]));
    }
    java.util.Collections.shuffle(parts, new Random(1));
    Aggregates m = Aggregates.merge(parts, new boolean[730]);
    assertThat(m.size()).isEqualTo(730 * 24);
    for (int i = 0; i < m.size(); i++) {
      assertThat(m.timestamps()[i]).isEqualTo(i * 3_600_000L);
      assertThat(m.sum()[i]).isEqualTo(i);
    }
  }
}
