package syslens.ingest;

/**
 * Prometheus' staleness marker: a NaN with this exact bit pattern, stored like any sample. The
 * query engine treats a series whose newest sample at or before the evaluation time is a marker
 * as absent, so it stops showing at once instead of after the 5-minute lookback.
 */
public final class StaleMarker {
  public static final long BITS = 0x7ff0000000000002L;
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleMarker() {}

  public static boolean is(double v) {
    return Double.doubleToRawLongBits(v) == BITS;
  }
}
