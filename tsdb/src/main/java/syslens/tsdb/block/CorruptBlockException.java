package syslens.tsdb.block;

import java.nio.file.Path;

/** A block file that fails validation (bad magic, checksum, truncation, out-of-range field). */
public final class CorruptBlockException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public CorruptBlockException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public CorruptBlockException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file that failed validation. */
  public Path file() {
    return file;
  }
}
