package syslens.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.query.Engine;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.RangeSeries;
import syslens.query.Value;
import syslens.query.VectorSample;
import syslens.storage.Labels;

/**
 * Runs a report's range queries: every expression is evaluated at start + step, start + 2 step,
 * ..., end, each point averaging the step before it, and answers one {@link NodeSeries} per node
 * (or per datastore for datastore expressions).
 */
final class Fetch {
  private final Engine engine;
  private final long start;
  private final long end;
  private final long step;

  Fetch(Engine engine, long start, long end, long step) {
    this.engine = engine;
    this.start = start;
    this.end = end;
    this.step = step;
  }

  long step() {
    return step;
  }

  /** One series of a report: the entity (node or datastore), its group key, points. */
  record NodeSeries(String entity, String group, long[] t, double[] v) {
    NodeSeries {
      if (t.length != v.length) {
        throw new IllegalArgumentException("t and v: " + t.length + " and " + v.length + " points (expected: as many)");
      }
    }
  }

  /**
   * Evaluates {@code expr} with {@code $S} replaced by the step; keyed by entity, in the order
   * the engine answered (sorted by labels). Series without a {@code node} (and without a {@code
   * datastore}) label are dropped.
   */
  Map<String, NodeSeries> range(String expr) {
    Matrix m = engine.rangeQuery(expr.replace("$S", Steps.promql(step)), start + step, end, step);
    Map<String, NodeSeries> out = new LinkedHashMap<>();
    for (RangeSeries rs : m.series()) {
      Labels l = rs.labels();
      String entity = l.has("node") ? l.get("node") : l.has("datastore") ? l.get("datastore") : null;
      if (entity == null || rs.points().isEmpty()) {
        continue;
      }
      List<Point> ps = new ArrayList<>(rs.points().size());
      for (Point p : rs.points()) {
        if (!Double.isNaN(p.value())) {
          ps.add(p);
        }
      }
      long[] t = new long[ps.size()];
      double[] v = new double[ps.size()];
      for (int i = 0; i < t.length; i++) {
        t[i] = ps.get(i).timestampMs();
        v[i] = ps.get(i).value();
      }
      out.putIfAbsent(entity, new NodeSeries(entity, groupOf(l), t, v));
    }
    return out;
  }

  /**
   * Evaluates {@code expr} once at the end with {@code $S} replaced by the whole period: one point
   * per entity holding the figure over (start, end] (e.g. {@code max_over_time(x[720h])}, the
   * largest sample of the period), where a range query would compute one per step only to reduce
   * them to one.
   */
  Map<String, NodeSeries> whole(String expr) {
    Value v = engine.instantQuery(expr.replace("$S", Steps.promql(end - start)), end);
    Map<String, NodeSeries> out = new LinkedHashMap<>();
    if (!(v instanceof InstantVector iv)) {
      return out;
    }
    for (VectorSample s : iv.samples()) {
      Labels l = s.labels();
      String entity = l.has("node") ? l.get("node") : l.has("datastore") ? l.get("datastore") : null;
      if (entity != null && !Double.isNaN(s.value())) {
        out.putIfAbsent(entity, new NodeSeries(entity, groupOf(l), new long[] {end}, new double[] {s.value()}));
      }
    }
    return out;
  }

  /** The group a node is reported under: its vCenter cluster, else its node group, else "-". */
  static String groupOf(Labels l) {
    String c = l.get("cluster");
    if (c != null && !c.isEmpty()) {
      return c;
    }
    String g = l.get("group");
    return g != null && !g.isEmpty() ? g : "-";
  }
}
