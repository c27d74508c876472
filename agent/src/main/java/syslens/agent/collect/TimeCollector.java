package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/** node_exporter's {@code time} collector: the system clock, in seconds. */
final class TimeCollector implements Collector {

  private final Clock clock;

  TimeCollector(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public String name() {
    return "time";
  }

  @Override
  public void collect(MetricSink sink) {
    sink.add("node_time_seconds", clock.millis() / 1000.0);
  }
}
