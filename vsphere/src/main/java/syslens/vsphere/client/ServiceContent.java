package syslens.vsphere.client;

/** The parts of vim25 ServiceContent SysLens uses. */
public record ServiceContent(Moref rootFolder, Moref propertyCollector, Moref viewManager,
    Moref sessionManager, Moref perfManager, Moref setting, Moref customFieldsManager, String apiVersion,
    String fullName, String instanceUuid) {

  static ServiceContent from(Xml rv) {
    Xml about = rv.child("about");
    return new ServiceContent(ref(rv, "rootFolder"), ref(rv, "propertyCollector"), ref(rv, "viewManager"),
        ref(rv, "sessionManager"), ref(rv, "perfManager"), ref(rv, "setting"), ref(rv, "customFieldsManager"),
        about == null ? "" : about.childText("apiVersion"),
        about == null ? "" : about.childText("fullName"),
        about == null ? "" : about.childText("instanceUuid"));
  }

  private static Moref ref(Xml rv, String name) {
    Xml x = rv.child(name);
    if (x == null) {
      if (name.equals("setting") || name.equals("customFieldsManager")) {
        return null;
      }
      throw new VimException("ServiceContent without " + name + " (expected: a vCenter or ESXi endpoint)");
    }
    return x.moref();
  }
}
