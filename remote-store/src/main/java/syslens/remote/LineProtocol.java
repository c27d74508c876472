package syslens.remote;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;

/**
 * Encodes samples as InfluxDB 1.x line protocol, the shape InfluxDB's own Prometheus endpoints
 * use: the metric name is the measurement, every other label a tag, the sample the float field
 * {@code value}, timestamps in milliseconds ({@code precision=ms}). NaN and infinities (e.g.
 * Prometheus' stale markers) cannot be stored by InfluxDB and are left out, counted.
 *
 * <p>Line protocol has no escape for a backslash: in a tag value, a backslash escapes the byte
 * after it, so a value ending in one (a Windows mountpoint {@code C:\}) would escape the next
 * separator and InfluxDB refuses the whole request ("invalid tag format"). Such a value (one
 * ending in a backslash followed by zero or more spaces) is stored with one more space appended,
 * written escaped; {@link #fromStored} takes it off again when reading back, so {@code C:\} is
 * stored as {@code "C:\ "} and read as {@code C:\}. The mapping is one to one (a value that
 * already ends in a backslash and spaces gains one space, loses it on reading).
 */
final class LineProtocol {
  private LineProtocol() {}

  /** Encoded records and how many samples could not be written. */
  record Result(List<WriteRequests.Encoded> records, int unrepresentable) {}

  static Result encode(Iterable<WriteRequests.SeriesSamples> series, int maxBytes) {
    List<WriteRequests.Encoded> out = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    int samples = 0;
    int skipped = 0;
    for (WriteRequests.SeriesSamples s : series) {
      String key = seriesKey(s.labels);
      for (int i = 0; i < s.n; i++) {
        double v = s.values[i];
        if (Double.isNaN(v) || Double.isInfinite(v)) {
          skipped++;
          continue;
        }
        sb.append(key).append(" value=").append(v).append(' ').append(s.timestamps[i]).append('\n');
        samples++;
        if (sb.length() >= maxBytes) {
          out.add(new WriteRequests.Encoded(sb.toString().getBytes(StandardCharsets.UTF_8), samples));
          sb.setLength(0);
          samples = 0;
        }
      }
    }
    if (samples > 0) {
      out.add(new WriteRequests.Encoded(sb.toString().getBytes(StandardCharsets.UTF_8), samples));
    }
    return new Result(out, skipped);
  }

  /** {@code measurement,tag=value,...} with line protocol's escapes. */
  static String seriesKey(Labels labels) {
    StringBuilder sb = new StringBuilder();
    escape(sb, labels.metricName(), false);
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.name(i);
      String v = labels.value(i);
      if (n.equals(Labels.METRIC_NAME) || v.isEmpty()) {
        continue;
      }
      sb.append(',');
      escape(sb, n, true);
      sb.append('=');
      escape(sb, toStored(v), true);
    }
    return sb.toString();
  }

  /** The tag value InfluxDB stores for label value {@code v} (see the class comment). */
  static String toStored(String v) {
    int i = trailingSpacesStart(v);
    return i > 0 && v.charAt(i - 1) == '\\' ? v + " " : v;
  }

  /** The label value of a tag value InfluxDB returns: {@link #toStored}'s inverse. */
  static String fromStored(String stored) {
    int i = trailingSpacesStart(stored);
    return i < stored.length() && i > 0 && stored.charAt(i - 1) == '\\'
        ? stored.substring(0, stored.length() - 1) : stored;
  }

  private static int trailingSpacesStart(String s) {
    int i = s.length();
    while (i > 0 && s.charAt(i - 1) == ' ') {
      i--;
    }
    return i;
  }

  private static void escape(StringBuilder sb, String s, boolean tag) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == ' ' || (tag && c == '=')) {
        sb.append('\\');
      } else if (c == '\n') {
        sb.append("\\n"); // a newline would end the line: written escaped, read back as "\n"
        continue;
      }
      sb.append(c);
    }
  }
}
