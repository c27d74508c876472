package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * One reading: a metric name, labels (sorted by name, as alternating name/value pairs) and a value.
 * The timestamp is not part of it: every reading of a round shares the round's grid time.
 */
public record Metric(String name, List<String> labels, double value) {

  public Metric {
    requireNonNull(name, "name");
    requireNonNull(labels, "labels");
    if (labels.size() % 2 != 0) {
      throw new IllegalArgumentException("labels: " + labels + " (expected: name/value pairs)");
    }
    labels = List.copyOf(labels);
  }

  /** Creates a metric; {@code labelPairs} alternate name and value, in any name order. */
  public static Metric of(String name, double value, String... labelPairs) {
    if (labelPairs.length % 2 != 0) {
      throw new IllegalArgumentException(
          "labelPairs: " + labelPairs.length + " strings (expected: an even number)");
    }
    // Pairs sorted by name in a copy (callers may reuse their array), by insertion: a reading has
    // a handful of labels, and this runs for every reading of every round.
    String[] flat = labelPairs.clone();
    for (int i = 0; i < flat.length; i += 2) {
      requireNonNull(flat[i], "label name");
      requireNonNull(flat[i + 1], "label value");
      String n = flat[i];
      String v = flat[i + 1];
      int j = i - 2;
      while (j >= 0 && flat[j].compareTo(n) > 0) {
        flat[j + 2] = flat[j];
        flat[j + 3] = flat[j + 1];
        j -= 2;
      }
      flat[j + 2] = n;
      flat[j + 3] = v;
    }
    return new Metric(name, Arrays.asList(flat), value);
  }

  /** The label value for {@code labelName}, or null. */
  public String label(String labelName) {
    for (int i = 0; i < labels.size(); i += 2) {
      if (labels.get(i).equals(labelName)) {
        return labels.get(i + 1);
      }
    }
    return null;
  }

  /** Prometheus text form of the series identity, e.g. {@code node_load1} or {@code x{a="b"}}. */
  public String key() {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.size(); i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels.get(i)).append("=\"").append(labels.get(i + 1)).append('"');
    }
    return sb.append('}').toString();
  }

  @Override
  public String toString() {
    return key() + " " + value;
  }
}
