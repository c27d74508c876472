package syslens.query;

import java.util.List;
import syslens.storage.Labels;

/** One series of a matrix: labels and points in time order. */
public record RangeSeries(Labels labels, List<Point> points) {
  public RangeSeries {
    points = List.copyOf(points);
  }
}
