package syslens.ingest.prom;

/** A request body that cannot be read; the message names what was wrong and what was expected. */
public final class FormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public FormatException(String message) {
    super(message);
  }
}
