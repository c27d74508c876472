package syslens.storage;

/**
 * Storage could not make a commit durable: nothing it staged may be acknowledged. The message
 * says why (e.g. the write-ahead log's disk is full, an fsync failed, storage is stopped);
 * writers should report it to their source and let it retry later.
 */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
