package syslens.vsphere.client;

/**
 * A vSphere call failed. {@link VimFaultException} when vCenter answered with a SOAP fault;
 * this class itself for transport failures (connection refused, timeout, TLS, size limit).
 */
public class VimException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VimException(String message, Throwable cause) {
    super(message, cause);
  }

  public VimException(String message) {
    super(message);
  }
}
