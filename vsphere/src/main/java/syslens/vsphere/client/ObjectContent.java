package syslens.vsphere.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One object of a PropertyCollector result: its reference and the requested property values. */
public record ObjectContent(Moref obj, Map<String, Xml> props) {

  static ObjectContent from(Xml objects) {
    Map<String, Xml> props = new HashMap<>();
    for (Xml p : objects.all("propSet")) {
      Xml val = p.child("val");
      if (val != null) {
        props.put(p.childText("name"), val);
      }
    }
    return new ObjectContent(objects.child("obj").moref(), props);
  }

  /** A string property, or "" when unset. */
  public String text(String path) {
    Xml v = props.get(path);
    return v == null ? "" : v.text();
  }

  public long number(String path, long fallback) {
    String t = text(path).trim();
    if (t.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** A reference property, or null when unset. */
  public Moref ref(String path) {
    Xml v = props.get(path);
    return v == null ? null : v.moref();
  }

  /** An ArrayOfManagedObjectReference property (empty when unset). */
  public List<Moref> refs(String path) {
    Xml v = props.get(path);
    List<Moref> out = new ArrayList<>();
    if (v != null) {
      v.children().forEach(c -> out.add(c.moref()));
    }
    return out;
  }

  /** The raw value element, or null. */
  public Xml value(String path) {
    return props.get(path);
  }
}
