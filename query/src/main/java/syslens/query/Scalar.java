package syslens.query;

/** A single number at a time. */
public record Scalar(long timestampMs, double value) implements Value {
  @Override
  public String resultType() {
    return "scalar";
  }
}
