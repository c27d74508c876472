package syslens.vsphere.guest;

/**
 * A guest could not be collected; the message is the per-VM status shown in REST (what failed and
 * what was expected), never containing a secret.
 */
public final class GuestException extends Exception {
  private static final long serialVersionUID = 1L;

  public GuestException(String message) {
    super(message);
  }

  public GuestException(String message, Throwable cause) {
    super(message, cause);
  }
}
