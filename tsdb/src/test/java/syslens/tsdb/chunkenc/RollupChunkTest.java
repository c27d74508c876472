package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Partial decodes of rollup chunks: the columns asked for, exactly as a full decode gives them. */
class RollupChunkTest {
  static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  /** Points whose columns take every value encoding: decimal runs, exceptions, XOR fallback. */
  static double[][] columns(int n, long seed) {
    Random r = new Random(seed);
    double[][] cols = new double[RollupChunk.COLUMNS][n];
    for (int i = 0; i < n; i++) {
      cols[0][i] = i % 7 == 3 ? Double.NaN : i * 0.25; // decimal with NaN exceptions
      cols[1][i] = r.nextDouble(); // long binary fractions: the XOR fallback
      cols[2][i] = i % 11 == 0 ? Double.POSITIVE_INFINITY : 1e6 + i; // decimal, an exception now and then
      cols[3][i] = 60; // constant: delta-of-delta zeros
      cols[4][i] = i == n / 2 ? STALE : i % 5 == 0 ? -0.0 : 1_000_000_000L * (long) i; // large mantissas, -0.0
      cols[5][i] = r.nextInt(1000) / 100.0; // two decimals
    }
    return cols;
  }

  static long[] timestamps(int n) {
    long[] ts = new long[n];
    for (int i = 0; i < n; i++) {
      ts[i] = 1_764_028_800_000L + 3_600_000L * i + (i % 3) * 1000;
    }
    return ts;
  }

  @Test
  void decode_everySetOfColumns_equalsTheFullDecodeOfThoseColumnsAndNaNElsewhere() {
    for (int n : new int[] {0, 1, 2, 9, 720}) {
      byte[] chunk = RollupChunk.encode(timestamps(n), columns(n, n), n);
      RollupChunk.Points full = RollupChunk.decode(chunk);
      for (int set = 0; set <= RollupChunk.ALL; set++) {
        RollupChunk.Points p = RollupChunk.decode(chunk, set);
        assertThat(p.timestamps()).as("n %d set %s", n, Integer.toBinaryString(set)).isEqualTo(full.timestamps());
        for (RollupChunk.Column c : RollupChunk.Column.values()) {
          long[] got = bits(p.column(c));
          if ((set & c.bit()) != 0) {
            assertThat(got).as("n %d set %s column %s", n, Integer.toBinaryString(set), c).isEqualTo(bits(full.column(c)));
          } else {
            assertThat(Arrays.stream(p.column(c)).allMatch(Double::isNaN) && p.column(c).length == n)
                .as("n %d column %s left out", n, c).isTrue();
          }
        }
      }
    }
  }

  @Test
  void decode_columnsBeyondTheSix_rejectedNamingTheSet() {
    byte[] chunk = RollupChunk.encode(timestamps(3), columns(3, 1), 3);
    assertThatThrownBy(() -> RollupChunk.decode(chunk, 1 << RollupChunk.COLUMNS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns: 1000000");
  }

  @Test
  void decode_truncatedInASkippedColumn_throwsCorruptChunk() {
    int n = 7; // under 8 points a body is never zstd-compressed: the cut lands in the column bytes
    byte[] chunk = RollupChunk.encode(timestamps(n), columns(n, 2), n);
    assertThat(chunk[1]).as("flags: not compressed").isZero();
    byte[] cut = Arrays.copyOf(chunk, chunk.length / 3); // inside MIN or MAX, before LAST
    assertThatThrownBy(() -> RollupChunk.decode(cut, RollupChunk.Column.LAST.bit()))
        .isInstanceOf(CorruptChunkException.class); // the MAX column (XOR) is cut short
  }

  @Test
  void slice_onePartInsideTheRange_isThatPartAndCopiesOnlyTheColumnsAsked() {
    int n = 10;
    long[] ts = timestamps(n);
    RollupChunk.Points p = RollupChunk.decode(RollupChunk.encode(ts, columns(n, 3), n));
    assertThat(RollupChunk.slice(List.of(p), ts[0], ts[n - 1], RollupChunk.ALL)).isSameAs(p);
    int sumCount = RollupChunk.Column.SUM.bit() | RollupChunk.Column.COUNT.bit();
    RollupChunk.Points s = RollupChunk.slice(List.of(p, p), ts[2], ts[n - 1], sumCount);
    assertThat(s.size()).isEqualTo(2 * (n - 2));
    assertThat(s.column(RollupChunk.Column.SUM)).startsWith(Arrays.copyOfRange(p.column(RollupChunk.Column.SUM), 2, n));
    assertThat(Arrays.stream(s.column(RollupChunk.Column.MAX)).allMatch(Double::isNaN)).isTrue();
  }

  static long[] bits(double[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Double.doubleToRawLongBits(a[i]);
    }
    return out;
  }
}
