package syslens.vsphere.guest;

import syslens.storage.Labels;

/** One figure read from a guest: the series labels (name included) and the value. */
public record GuestMetric(Labels labels, double value) {
  static GuestMetric of(String name, double value, String... labelPairs) {
    Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, name);
    for (int i = 0; i + 1 < labelPairs.length; i += 2) {
      b.set(labelPairs[i], labelPairs[i + 1]);
    }
    return new GuestMetric(b.build(), value);
  }
}
