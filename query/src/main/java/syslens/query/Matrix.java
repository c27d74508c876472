package syslens.query;

import java.util.List;

/** Series with several points each: the result of a range query or a range selector. */
public record Matrix(List<RangeSeries> series) implements Value {
  public Matrix {
    series = List.copyOf(series);
  }

  @Override
  public String resultType() {
    return "matrix";
  }
}
