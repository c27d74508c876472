package syslens.server.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.PromFormat;
import syslens.query.RangeSeries;
import syslens.query.Scalar;
import syslens.query.StringValue;
import syslens.query.Value;
import syslens.query.VectorSample;

/** Renders query results in the Prometheus HTTP API's JSON shapes. */
final class PromJson {
  private PromJson() {}

  static Map<String, Object> data(Value v) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("resultType", v.resultType());
    d.put("result", switch (v) {
      case Scalar s -> List.of(seconds(s.timestampMs()), PromFormat.formatValue(s.value()));
      case StringValue s -> List.of(seconds(s.timestampMs()), s.value());
      case InstantVector iv -> vector(iv);
      case Matrix m -> matrix(m);
    });
    return d;
  }

  private static List<Object> vector(InstantVector v) {
    List<Object> out = new ArrayList<>(v.samples().size());
    for (VectorSample s : v.samples()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("metric", s.labels().toMap());
      e.put("value", pair(s.timestampMs(), s.value()));
      out.add(e);
    }
    return out;
  }

  private static List<Object> matrix(Matrix m) {
    List<Object> out = new ArrayList<>(m.series().size());
    for (RangeSeries s : m.series()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("metric", s.labels().toMap());
      List<Object> values = new ArrayList<>(s.points().size());
      for (Point p : s.points()) {
        values.add(pair(p.timestampMs(), p.value()));
      }
      e.put("values", values);
      out.add(e);
    }
    return out;
  }

  /** A sample of a vector or matrix: time as Prometheus' MarshalTimestamp writes it. */
  private static List<Object> pair(long tMs, double v) {
    return List.of(pointTime(tMs), PromFormat.formatValue(v));
  }

  /**
   * A vector or matrix sample's time as Prometheus 2.42 writes it (jsonutil.MarshalTimestamp):
   * whole seconds, or three decimals when there is a fraction: {@code 1796029440},
   * {@code 1796029440.500}, {@code -1.050}.
   */
  static BigDecimal pointTime(long ms) {
    return ms % 1000 == 0 ? BigDecimal.valueOf(ms / 1000) : BigDecimal.valueOf(ms, 3);
  }

  /**
   * A scalar's or string's time: unix seconds as the shortest JSON number, as Go's encoding/json
   * writes Prometheus' float: {@code 1796029440}, {@code 1796029440.5}, never
   * {@code 1.79602944E+9}.
   */
  static BigDecimal seconds(long ms) {
    BigDecimal s = BigDecimal.valueOf(ms, 3).stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

}
