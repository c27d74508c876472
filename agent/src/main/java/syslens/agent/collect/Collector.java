package syslens.agent.collect;

/** Reads one area of the system (like one node_exporter collector). */
interface Collector {

  /** Short name, as node_exporter's {@code collector} label (e.g. {@code cpu}). */
  String name();

  /** Reads the system and adds readings to {@code sink}; throws when the source is unreadable. */
  void collect(MetricSink sink) throws Exception;

  /** Releases what the collector keeps between rounds (open files); it may not be used after. */
  default void close() {}
}
