package syslens.vsphere.client;

/** A PerfCounterInfo: key and "group.name.rollup" naming, unit and stats type. */
public record PerfCounter(int key, String group, String name, String rollup, String unit,
    String statsType, int level) {

  public String fullName() {
    return group + "." + name + "." + rollup;
  }

  static PerfCounter from(Xml c) {
    return new PerfCounter(Integer.parseInt(c.childText("key").trim()),
        keyOf(c, "groupInfo"), keyOf(c, "nameInfo"), c.childText("rollupType"),
        keyOf(c, "unitInfo"), c.childText("statsType"),
        c.childText("level").isEmpty() ? 0 : Integer.parseInt(c.childText("level").trim()));
  }

  private static String keyOf(Xml c, String element) {
    Xml e = c.child(element);
    return e == null ? "" : e.childText("key");
  }
}
