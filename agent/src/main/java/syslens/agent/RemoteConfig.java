package syslens.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.agent.v1.lite.ConfigUpdate;

/**
 * The configuration the server sent (ConfigUpdate), as plain data: what the agent applies itself
 * (interval, collectors off) and what scraping and custom collectors read (targets, commands).
 * {@code version} 0: the server's defaults, nothing configured.
 */
public record RemoteConfig(long version, Duration interval, Set<String> disabledCollectors,
    List<ScrapeTarget> scrapeTargets, List<CustomCommand> customCommands, int maxSeries) {

  /** A local /metrics endpoint and the labels added to what it serves. */
  public record ScrapeTarget(String url, Map<String, String> labels) {}

  /** A command run without a shell; output in {@code format} ("prometheus" or "json"). */
  public record CustomCommand(String name, List<String> argv, Duration timeout, String format) {}

  public RemoteConfig {
    disabledCollectors = Set.copyOf(disabledCollectors);
    scrapeTargets = List.copyOf(scrapeTargets);
    customCommands = List.copyOf(customCommands);
  }

  static RemoteConfig initial(Duration interval) {
    return new RemoteConfig(0, interval, Set.of(), List.of(), List.of(), 0);
  }

  static RemoteConfig of(ConfigUpdate u, Duration interval) {
    return new RemoteConfig(u.getVersion(), interval, Set.copyOf(u.getDisabledCollectorsList()),
        u.getScrapeTargetsList().stream().map(t -> new ScrapeTarget(t.getUrl(), Map.copyOf(t.getLabelsMap()))).toList(),
        u.getCustomCommandsList().stream().map(c -> new CustomCommand(c.getName(), List.copyOf(c.getArgvList()),
            Duration.ofMillis(c.getTimeoutMs() > 0 ? c.getTimeoutMs() : 30_000),
            c.getFormat().isEmpty() ? "prometheus" : c.getFormat())).toList(),
        u.getMaxSeries());
  }
}
