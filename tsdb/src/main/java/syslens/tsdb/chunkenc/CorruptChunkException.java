package syslens.tsdb.chunkenc;

/** Encoded chunk bytes that cannot be decoded: truncated, or fields out of range. */
public final class CorruptChunkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorruptChunkException(String message) {
    super(message);
  }

  public CorruptChunkException(String message, Throwable cause) {
    super(message, cause);
  }
}
