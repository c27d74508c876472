package syslens.tsdb.chunkenc;

/**
 * Lossless decimal view of doubles: {@code v == m * 10^e} with an integer mantissa {@code m}
 * (|m| < 2^53) and a small exponent, verified bit for bit. Most host metrics are integers (bytes,
 * counts) or values with a few decimals (seconds in centiseconds), so their mantissas change by
 * small integers from sample to sample and delta-encode into one or two bytes. The idea follows
 * VictoriaMetrics' {@code lib/decimal}, but this version never loses precision: a value whose
 * decimal form does not round-trip exactly is reported as not convertible and stored raw.
 */
final class DecimalCodec {
  static final long MAX_MANTISSA = 1L << 53;
  static final int MAX_NEG_EXP = 18;
  static final int MAX_POS_EXP = 22;
  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private DecimalCodec() {}

  /** The smallest exponent e with v == m * 10^e exactly, or Integer.MIN_VALUE if there is none. */
  static int exponentOf(double v) {
    long bits = Double.doubleToRawLongBits(v);
    if (!Double.isFinite(v) || bits == 0x8000000000000000L) {
      return Integer.MIN_VALUE; // NaN (incl. stale markers), +-Inf, -0.0
    }
    if (v == Math.rint(v) && Math.abs(v) < MAX_MANTISSA) {
      long m = (long) v;
      int e = 0;
      while (m != 0 && m % 10 == 0 && e < MAX_POS_EXP) {
        m /= 10;
        e++;
      }
      return e;
    }
    for (int k = 1; k <= MAX_NEG_EXP; k++) {
      double r = Math.rint(v * POW10[k]);
      if (Math.abs(r) >= MAX_MANTISSA) {
        return Integer.MIN_VALUE;
      }
      if (Double.doubleToRawLongBits(r / POW10[k]) == bits) {
        return -k;
      }
    }
    return Integer.MIN_VALUE;
  }

  /**
   * The mantissa of v at exponent e (e <= exponentOf(v)), or Long.MIN_VALUE when v is not exactly
   * m * 10^e with |m| < 2^53.
   */
  static long mantissa(double v, int e) {
    double r;
    if (e >= 0) {
      r = v / POW10[e];
      r = Math.rint(r);
    } else {
      r = Math.rint(v * POW10[-e]);
    }
    if (!(Math.abs(r) < MAX_MANTISSA)) {
      return Long.MIN_VALUE;
    }
    long m = (long) r;
    return Double.doubleToRawLongBits(value(m, e)) == Double.doubleToRawLongBits(v) ? m : Long.MIN_VALUE;
  }

  /** m * 10^e, correctly rounded (exact for the values {@link #mantissa} accepted). */
  static double value(long m, int e) {
    return e >= 0 ? (double) m * POW10[e] : (double) m / POW10[-e];
  }

  static boolean validExponent(int e) {
    return e >= -MAX_NEG_EXP && e <= MAX_POS_EXP;
  }
}
