package syslens.query;

/** The result of evaluating a PromQL expression (Prometheus' resultType). */
public sealed interface Value permits Scalar, InstantVector, Matrix, StringValue {
  /** "scalar", "vector", "matrix" or "string", as in Prometheus' HTTP API. */
  String resultType();
}
