package syslens.agent.collect;

/** Where collectors put their readings. */
interface MetricSink {

  /** Adds one reading; {@code labelPairs} alternate label name and value. */
  void add(String name, double value, String... labelPairs);
}
