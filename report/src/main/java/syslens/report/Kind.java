package syslens.report;

import java.util.Arrays;
import java.util.Locale;

/** What a report computes; a request may ask for several. */
public enum Kind {
  UTILIZATION, RIGHTSIZING, AVAILABILITY, CAPACITY, ALERTS;

  /** The kind named {@code s} (case-insensitive, "right-sizing" accepted), or a message naming the choices. */
  public static Kind parse(String s) {
    String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    for (Kind kind : values()) {
      if (kind.name().toLowerCase(Locale.ROOT).equals(k)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("kind: \"" + s + "\" (expected: one of "
        + Arrays.stream(values()).map(Kind::key).toList() + ")");
  }

  /** The lower-case name used in the API, files and message keys. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
