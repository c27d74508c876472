package syslens.vsphere.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A parsed SOAP element: local name, the {@code type} / {@code xsi:type} attributes, text and
 * children. Built with StAX (no DTDs, no external entities) from a size-limited stream, so a
 * response is bounded before it is parsed into this tree.
 */
public final class Xml {
  private static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
  private static final XMLInputFactory FACTORY = newFactory();
  private static final List<Xml> NONE = List.of();

  private final String name;
  private final String type;
  private final String xsiType;
  private String text = "";
  private List<Xml> children = NONE;

  private Xml(String name, String type, String xsiType) {
    this.name = name;
    this.type = type;
    this.xsiType = xsiType;
  }

  private static XMLInputFactory newFactory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    return f;
  }

  /** Parses a whole document and returns its root element. */
  public static Xml parse(InputStream in) throws IOException {
    return stream(in, r -> {
      while (r.hasNext()) {
        if (r.next() == XMLStreamConstants.START_ELEMENT) {
          return readElement(r);
        }
      }
      throw new IOException("empty XML document (expected: a SOAP envelope)");
    });
  }

  /** Reads a document with {@code reader}; stream failures (size limit, deadline) surface as themselves. */
  static <T> T stream(InputStream in, StreamReader<T> reader) throws IOException {
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(in);
      return reader.read(r);
    } catch (XMLStreamException e) {
      for (Throwable c = e; c != null; c = c.getCause() != null ? c.getCause()
          : c instanceof XMLStreamException x ? x.getNestedException() : null) {
        if (c instanceof IOException io) {
          throw io; // the stream failed (size limit, deadline), not the XML
        }
      }
      throw new IOException("malformed XML: " + e.getMessage(), e);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // the stream is closed by its owner
        }
      }
    }
  }

  /** Reads a document from a StAX reader. */
  interface StreamReader<T> {
    T read(XMLStreamReader r) throws XMLStreamException, IOException;
  }

  /**
   * The element the reader is on (a START_ELEMENT) with everything inside it; returns with the
   * reader on its END_ELEMENT.
   */
  static Xml readElement(XMLStreamReader r) throws XMLStreamException {
    List<Xml> stack = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Xml root = start(r);
    stack.add(root);
    while (!stack.isEmpty()) {
      int ev = r.next();
      if (ev == XMLStreamConstants.START_ELEMENT) {
        Xml e = start(r);
        Xml parent = stack.getLast();
        if (parent.children == NONE) {
          parent.children = new ArrayList<>(4);
        }
        parent.children.add(e);
        stack.add(e);
        text.setLength(0);
      } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
        text.append(r.getText());
      } else if (ev == XMLStreamConstants.END_ELEMENT) {
        Xml e = stack.removeLast();
        if (e.children == NONE && !text.isEmpty()) {
          e.text = text.toString();
        }
        text.setLength(0);
      }
    }
    return root;
  }

  private static Xml start(XMLStreamReader r) {
    String xsiType = r.getAttributeValue(XSI, "type");
    if (xsiType != null) {
      int colon = xsiType.indexOf(':');
      xsiType = colon >= 0 ? xsiType.substring(colon + 1) : xsiType;
    }
    return new Xml(r.getLocalName(), plainTypeAttribute(r), xsiType);
  }

  /** The un-prefixed {@code type} attribute (getAttributeValue(null, ...) would also match xsi:type). */
  private static String plainTypeAttribute(XMLStreamReader r) {
    for (int i = 0, n = r.getAttributeCount(); i < n; i++) {
      String ns = r.getAttributeNamespace(i);
      if ((ns == null || ns.isEmpty()) && "type".equals(r.getAttributeLocalName(i))) {
        return r.getAttributeValue(i);
      }
    }
    return null;
  }

  public String name() {
    return name;
  }

  /** The {@code type} attribute of a ManagedObjectReference, or null. */
  public String type() {
    return type;
  }

  /** The local part of {@code xsi:type}, or null. */
  public String xsiType() {
    return xsiType;
  }

  public String text() {
    return text;
  }

  public List<Xml> children() {
    return children;
  }

  /** The first child named {@code name}, or null. */
  public Xml child(String name) {
    for (Xml c : children) {
      if (c.name.equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** The children named {@code name}. */
  public List<Xml> all(String name) {
    List<Xml> out = new ArrayList<>();
    for (Xml c : children) {
      if (c.name.equals(name)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The text of the first child named {@code name}, or "" when absent. */
  public String childText(String name) {
    Xml c = child(name);
    return c == null ? "" : c.text;
  }

  /** Follows a path of child names; null when a step is missing. */
  public Xml path(String... names) {
    Xml x = this;
    for (String n : names) {
      x = x.child(n);
      if (x == null) {
        return null;
      }
    }
    return x;
  }

  /** This element as a managed object reference. */
  public Moref moref() {
    return new Moref(type == null ? "" : type, text);
  }

  @Override
  public String toString() {
    return "<" + name + (xsiType == null ? "" : " xsi:type=" + xsiType) + ">"
        + (children.isEmpty() ? text : children.size() + " children");
  }
}
