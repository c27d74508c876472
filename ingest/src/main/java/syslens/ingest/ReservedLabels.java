package syslens.ingest;

import syslens.storage.Labels;

/**
 * Label names starting with {@code __} belong to Prometheus and SysLens internals (the metric
 * name, relabeling's {@code __address__}, {@code __meta_*}); only {@code __name__} may come from
 * a source.
 */
public final class ReservedLabels {
  private ReservedLabels() {}

  /** Null when a source may send {@code name}, else why not. */
  public static String problem(String name) {
    if (name.startsWith("__") && !name.equals(Labels.METRIC_NAME)) {
      return "label name \"" + abbreviate(name) + "\" is reserved (expected: no names starting with __ "
          + "other than __name__)";
    }
    return null;
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
