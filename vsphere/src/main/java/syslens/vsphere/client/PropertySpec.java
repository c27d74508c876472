package syslens.vsphere.client;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PropertyFilterSpec: which properties of which types, starting from one object, optionally
 * traversing a ContainerView's {@code view} property to every object in it.
 */
public final class PropertySpec {
  private final Moref start;
  private final boolean viaContainerView;
  private final Map<String, List<String>> pathsByType;

  private PropertySpec(Moref start, boolean viaContainerView, Map<String, List<String>> pathsByType) {
    this.start = start;
    this.viaContainerView = viaContainerView;
    this.pathsByType = pathsByType;
  }

  /** The named properties of one object. */
  public static PropertySpec of(Moref obj, String... paths) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(obj.type(), List.of(paths));
    return new PropertySpec(requireNonNull(obj, "obj"), false, m);
  }

  /** The given properties, per type, of every object in a ContainerView. */
  public static PropertySpec containerView(Moref view, Map<String, List<String>> pathsByType) {
    return new PropertySpec(requireNonNull(view, "view"), true, new LinkedHashMap<>(pathsByType));
  }

  String toXml() {
    return toXml("specSet");
  }

  /** The spec as an element named {@code element} (specSet in RetrievePropertiesEx, spec in CreateFilter). */
  String toXml(String element) {
    StringBuilder b = new StringBuilder(512).append("<").append(element).append(">");
    pathsByType.forEach((type, paths) -> {
      b.append("<propSet>").append(Soap.element("type", type)).append("<all>false</all>");
      paths.forEach(p -> b.append(Soap.element("pathSet", p)));
      b.append("</propSet>");
    });
    b.append("<objectSet>").append(start.toXml("obj"));
    if (viaContainerView) {
      b.append("<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name>"
          + "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>");
    } else {
      b.append("<skip>false</skip>");
    }
    return b.append("</objectSet></").append(element).append(">").toString();
  }
}
