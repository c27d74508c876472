package syslens.tsdb.wal;

import java.io.IOException;

/** The WAL refused or failed a write or sync; the message says why and what was (not) stored. */
public final class WalException extends IOException {
  private static final long serialVersionUID = 1L;

  WalException(String message) {
    super(message);
  }

  WalException(String message, Throwable cause) {
    super(message, cause);
  }
}
