package syslens.alerting.notify;

/** A configuration that does not validate: {@link #field()} is the path of the bad field. */
public final class ConfigException extends IllegalArgumentException {
  private final String field;

  public ConfigException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
