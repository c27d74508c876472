package syslens.report;

import java.util.Locale;
import syslens.report.Report.Column;
import syslens.report.Report.Unit;

/** Headers and cell texts shared by the writers. */
final class TableText {
  private TableText() {}

  /** A column header with its unit for the number formats (CSV, XLSX), e.g. "CPU avg (0-1)". */
  static String header(Messages m, Column c) {
    String suffix = switch (c.unit()) {
      case RATIO -> " (0-1)";
      case BYTES -> " (bytes)";
      case BYTES_PER_SECOND -> " (bytes/s)";
      case SECONDS -> " (s)";
      case DAYS, TEXT, COUNT, HOUR -> "";
    };
    return m.get(c.key()) + suffix;
  }

  /** A number as people read it (PDF, HTML): 42.5 %, 3.2 GiB, 1.5 MiB/s, 2 h 5 min, "-" when unknown. */
  static String human(double v, Unit unit) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "-";
    }
    return switch (unit) {
      case RATIO -> String.format(Locale.ROOT, "%.1f %%", v * 100);
      case BYTES -> bytes(v);
      case BYTES_PER_SECOND -> bytes(v) + "/s";
      case COUNT -> String.format(Locale.ROOT, "%.0f", v);
      case DAYS -> String.format(Locale.ROOT, "%.0f", Math.floor(v));
      case HOUR -> String.format(Locale.ROOT, "%02.0f:00", v);
      case SECONDS -> duration(v);
      case TEXT -> String.valueOf(v);
    };
  }

  static String bytes(double v) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    double x = Math.abs(v);
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, i == 0 ? "%.0f %s" : "%.1f %s", Math.signum(v) * x, units[i]);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }
}
