package syslens.query;

/**
 * A query that cannot be answered. {@link #errorType()} maps onto Prometheus' HTTP API
 * "errorType": {@code bad_data} (parse or argument errors, HTTP 400), {@code execution} (HTTP
 * 422), {@code timeout} (HTTP 503), {@code unavailable} (HTTP 503); too many samples is reported
 * as execution (HTTP 422), as Prometheus does.
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    BAD_DATA("bad_data"),
    EXECUTION("execution"),
    TIMEOUT("timeout"),
    /** The server cannot take the query now (queue full): HTTP 503. */
    UNAVAILABLE("unavailable");

    private final String errorType;

    Kind(String errorType) {
      this.errorType = errorType;
    }

    public String errorType() {
      return errorType;
    }
  }

  private final Kind kind;

  public QueryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public QueryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public String errorType() {
    return kind.errorType();
  }
}
