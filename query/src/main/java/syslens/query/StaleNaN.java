package syslens.query;

/** Prometheus' staleness marker: a NaN with a specific bit pattern. */
final class StaleNaN {
  static final long BITS = 0x7ff0000000000002L;
  static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleNaN() {}

  static boolean is(double v) {
    return Double.doubleToRawLongBits(v) == BITS;
  }
}
