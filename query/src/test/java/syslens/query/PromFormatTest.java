package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PromFormatTest {
  /** The definition formatValue's fast path must match: BigDecimal's plain form of Java's shortest digits. */
  private static String reference(double v) {
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  @Test
  void formatValue_edgeCases_matchGoFormatFloat() {
    assertThat(PromFormat.formatValue(100.0)).isEqualTo("100");
    assertThat(PromFormat.formatValue(-10.0)).isEqualTo("-10");
    assertThat(PromFormat.formatValue(1e7)).isEqualTo("10000000");
    assertThat(PromFormat.formatValue(1.0E10)).isEqualTo("10000000000");
    assertThat(PromFormat.formatValue(-1.25e21)).isEqualTo("-1250000000000000000000");
    assertThat(PromFormat.formatValue(1.5e-7)).isEqualTo("0.00000015");
    assertThat(PromFormat.formatValue(-1e-4)).isEqualTo("-0.0001");
    assertThat(PromFormat.formatValue(0.001)).isEqualTo("0.001");
    assertThat(PromFormat.formatValue(Double.MIN_VALUE)).isEqualTo(reference(Double.MIN_VALUE));
    assertThat(PromFormat.formatValue(Double.MAX_VALUE)).isEqualTo(reference(Double.MAX_VALUE));
    assertThat(PromFormat.formatValue(-0.0)).isEqualTo("-0");
  }

  @Test
  void formatValue_randomDoubles_matchBigDecimalPlainString() {
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < 50_000; i++) {
      double v = switch (i % 4) {
        case 0 -> Double.longBitsToDouble(r.nextLong()); // every exponent
        case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(-12, 25)) * (r.nextBoolean() ? 1 : -1);
        case 2 -> Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(0, 8)); // typical gauges
        default -> (double) r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L); // counters
      };
      if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
        continue;
      }
      assertThat(PromFormat.formatValue(v)).as("%s", Double.toString(v)).isEqualTo(reference(v));
    }
  }

  @Test
  void appendValue_anyDouble_appendsFormatValuesText() {
    SplittableRandom r = new SplittableRandom(7);
    StringBuilder b = new StringBuilder("prefix:");
    double[] edges = {100.0, -10.0, 1e7, 9_999_999.5, 1e-3, 9.99e-4, -0.0, 0.0, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 123.456};
    for (int i = 0; i < 50_000 + edges.length; i++) {
      double v = i < edges.length ? edges[i] : switch (i % 3) {
        case 0 -> Double.longBitsToDouble(r.nextLong());
        case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(-12, 25)) * (r.nextBoolean() ? 1 : -1);
        default -> Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(0, 8));
      };
      b.setLength(7);
      PromFormat.appendValue(v, b);
      assertThat(b.toString()).as("%s", Double.toString(v)).isEqualTo("prefix:" + PromFormat.formatValue(v));
    }
  }
}
