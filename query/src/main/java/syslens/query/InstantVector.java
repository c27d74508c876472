package syslens.query;

import java.util.List;

/** A set of series, one sample each, all at the same time. */
public record InstantVector(List<VectorSample> samples) implements Value {
  public InstantVector {
    samples = List.copyOf(samples);
  }

  @Override
  public String resultType() {
    return "vector";
  }
}
