package syslens.vsphere.client;

import static java.util.Objects.requireNonNull;

/** A vSphere ManagedObjectReference: type ("VirtualMachine") and value ("vm-42"). */
public record Moref(String type, String value) {
  public Moref {
    requireNonNull(type, "type");
    requireNonNull(value, "value");
  }

  /** The reference as a SOAP element named {@code element}. */
  String toXml(String element) {
    return "<" + element + " type=\"" + Soap.escape(type) + "\">" + Soap.escape(value) + "</" + element + ">";
  }

  @Override
  public String toString() {
    return type + ":" + value;
  }
}
