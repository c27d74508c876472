package syslens.agent;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import syslens.agent.collect.Metric;
import syslens.agent.collect.OshiCollectors;

/**
 * The one place the agent reaches OSHI: a separate class so that on Linux neither it nor OSHI
 * and JNA are ever loaded (the Linux path stays at its footprint).
 */
final class OshiSource {

  private OshiSource() {}

  static Supplier<List<Metric>> create(Clock clock) {
    return OshiCollectors.forThisHost(clock);
  }
}
