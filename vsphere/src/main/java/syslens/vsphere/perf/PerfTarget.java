package syslens.vsphere.perf;

import syslens.storage.Labels;
import syslens.vsphere.client.Moref;

/**
 * One entity whose realtime counters are queried: its reference, node id and series labels;
 * important targets are queried first.
 */
public record PerfTarget(Moref entity, MetricCatalog.Kind kind, String nodeId, Labels labels, boolean important) {
  public PerfTarget(Moref entity, MetricCatalog.Kind kind, String nodeId, Labels labels) {
    this(entity, kind, nodeId, labels, false);
  }

  /** What the reader remembers the newest sample by: the node id, or the entity for clusters and datastores. */
  public String key() {
    return nodeId != null ? nodeId : entity.type() + ":" + entity.value();
  }
}
