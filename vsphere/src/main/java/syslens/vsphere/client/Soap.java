package syslens.vsphere.client;

/** Writing SOAP request bodies: escaping and the envelope. */
final class Soap {
  private Soap() {}

  static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '&' -> "&amp;";
        case '"' -> "&quot;";
        case '\'' -> "&apos;";
        default -> null;
      };
      if (rep != null || b != null) {
        if (b == null) {
          b = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  static String envelope(String method, Moref self, String params) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
        + "<soapenv:Body><" + method + " xmlns=\"urn:vim25\">" + self.toXml("_this") + params
        + "</" + method + "></soapenv:Body></soapenv:Envelope>";
  }

  static String element(String name, String value) {
    return "<" + name + ">" + escape(value) + "</" + name + ">";
  }
}
