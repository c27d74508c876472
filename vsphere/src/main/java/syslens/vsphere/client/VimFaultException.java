package syslens.vsphere.client;

/** vCenter answered a call with a SOAP fault, named as in vim25 ({@code NotAuthenticated}, ...). */
public final class VimFaultException extends VimException {
  private static final long serialVersionUID = 1L;
  private final String faultName;
  private final String method;

  VimFaultException(String method, String faultName, String faultString) {
    super(method + " failed with " + faultName + ": " + faultString);
    this.method = method;
    this.faultName = faultName;
  }

  /** The vim25 fault type, e.g. {@code InvalidLogin}, {@code NotAuthenticated}, {@code InvalidArgument}. */
  public String faultName() {
    return faultName;
  }

  public String method() {
    return method;
  }

  public boolean isNotAuthenticated() {
    return "NotAuthenticated".equals(faultName);
  }
}
