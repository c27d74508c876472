package syslens.query;

/** A string literal's value at a time. */
public record StringValue(long timestampMs, String value) implements Value {
  @Override
  public String resultType() {
    return "string";
  }
}
