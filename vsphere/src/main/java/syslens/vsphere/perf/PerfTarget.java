package syslens.vsphere.perf;

import syslens.storage.Labels;
import syslens.vsphere.client.Moref;

/** One entity whose realtime counters are queried: its reference, node id and series labels. */
public record PerfTarget(Moref entity, MetricCatalog.Kind kind, String nodeId, Labels labels) {}
