package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
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
    List<String[]> pairs = new ArrayList<>(labelPairs.length / 2);
    for (int i = 0; i < labelPairs.length; i += 2) {
      pairs.add(new String[] {requireNonNull(labelPairs[i], "label name"),
          requireNonNull(labelPairs[i + 1], "label value")});
    }
    pairs.sort((a, b) -> a[0].compareTo(b[0]));
    List<String> flat = new ArrayList<>(labelPairs.length);
    for (String[] p : pairs) {
      flat.add(p[0]);
      flat.add(p[1]);
    }
    return new Metric(name, flat, value);
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
