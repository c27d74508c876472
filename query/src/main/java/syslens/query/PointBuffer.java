package syslens.query;

import java.util.Arrays;

/** Growable parallel arrays of (timestamp, value) points. Not thread-safe. */
final class PointBuffer {
  long[] ts;
  double[] vs;
  int n;

  PointBuffer(int capacity) {
    ts = new long[Math.max(1, capacity)];
    vs = new double[ts.length];
  }

  void add(long t, double v) {
    if (n == ts.length) {
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    ts[n] = t;
    vs[n] = v;
    n++;
  }
}
