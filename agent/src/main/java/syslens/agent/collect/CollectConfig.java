package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What the agent collects besides its fixed cadence: collectors switched off, top-N processes,
 * the per-mount statfs timeout, local Prometheus endpoints to scrape and custom commands to run.
 * A plain value: the agent's flags and config file build one, and the server may push the same
 * settings later ({@link #validate()} names the first bad value).
 */
public record CollectConfig(Set<String> disabled, int topProcesses, Duration mountTimeout,
    List<ScrapeTarget> scrapeTargets, List<CommandSource> commands) {

  public static final int DEFAULT_TOP_PROCESSES = 5;
  public static final Duration DEFAULT_MOUNT_TIMEOUT = Duration.ofSeconds(5);

  public CollectConfig {
    disabled = Set.copyOf(requireNonNull(disabled, "disabled"));
    requireNonNull(mountTimeout, "mountTimeout");
    scrapeTargets = List.copyOf(requireNonNull(scrapeTargets, "scrapeTargets"));
    commands = List.copyOf(requireNonNull(commands, "commands"));
  }

  /** Every Linux collector on, top 5 processes, 5 s mount timeout, nothing to scrape or run. */
  public static CollectConfig defaults() {
    return new CollectConfig(Set.of(), DEFAULT_TOP_PROCESSES, DEFAULT_MOUNT_TIMEOUT, List.of(), List.of());
  }

  public boolean enabled(String collector) {
    return !disabled.contains(collector);
  }

  /** Throws IllegalArgumentException naming the first bad value and what was expected. */
  public CollectConfig validate() {
    for (String d : disabled) {
      if (!LinuxCollectors.NAMES.contains(d)) {
        throw new IllegalArgumentException("disabled collector: " + d + " (expected one of: "
            + String.join(", ", LinuxCollectors.NAMES) + ")");
      }
    }
    if (topProcesses < 0 || topProcesses > 100) {
      throw new IllegalArgumentException("topProcesses: " + topProcesses + " (expected: 0-100)");
    }
    if (mountTimeout.toMillis() < 1 || mountTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("mountTimeout: " + mountTimeout + " (expected: 1ms-1m)");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (ScrapeTarget t : scrapeTargets) {
      if (!names.add("scrape:" + t.name())) {
        throw new IllegalArgumentException("scrape target name: " + t.name() + " given twice (expected: unique names)");
      }
    }
    for (CommandSource c : commands) {
      if (!names.add("command:" + c.name())) {
        throw new IllegalArgumentException("command name: " + c.name() + " given twice (expected: unique names)");
      }
    }
    return this;
  }
}
