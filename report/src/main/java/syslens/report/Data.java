package syslens.report;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Line;

/** The series of one report run, each queried once however many sections use it. */
final class Data {
  private final Fetch fetch;
  private final Map<String, Map<String, NodeSeries>> cache = new HashMap<>();

  Data(Fetch fetch) {
    this.fetch = fetch;
  }

  Map<String, NodeSeries> get(String expr) {
    return cache.computeIfAbsent(expr, fetch::range);
  }

  long step() {
    return fetch.step();
  }

  /** The mean over series of their points at each timestamp: a fleet or group line. */
  static Line meanLine(String name, List<NodeSeries> series) {
    java.util.TreeMap<Long, double[]> acc = new java.util.TreeMap<>();
    for (NodeSeries s : series) {
      for (int i = 0; i < s.t().length; i++) {
        double[] a = acc.computeIfAbsent(s.t()[i], k -> new double[2]);
        a[0] += s.v()[i];
        a[1]++;
      }
    }
    long[] t = new long[acc.size()];
    double[] v = new double[acc.size()];
    int i = 0;
    for (var e : acc.entrySet()) {
      t[i] = e.getKey();
      v[i++] = e.getValue()[0] / e.getValue()[1];
    }
    return new Line(name, t, v, false);
  }
}
