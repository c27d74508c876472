package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * A local Prometheus endpoint the agent scrapes every round (text 0.0.4 or OpenMetrics). Its
 * series get {@code job=<name>} (an exposed {@code job} becomes {@code exported_job}) and the
 * node's labels on the server, and {@code up{job}} tells whether the scrape worked.
 */
public record ScrapeTarget(String name, URI url, Duration timeout, int maxBytes, int maxSeries) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_SERIES = 10_000;

  public ScrapeTarget {
    requireNonNull(name, "name");
    requireNonNull(url, "url");
    requireNonNull(timeout, "timeout");
    Sources.checkName("scrape target", name);
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("scrape target " + name + ": url " + url + " (expected: http(s)://host:port/path)");
    }
    Sources.checkLimits("scrape target " + name, timeout, maxBytes, maxSeries);
  }

  /** A target with the default timeout (10 s) and limits (4 MiB, 10,000 series). */
  public static ScrapeTarget of(String name, String url) {
    return new ScrapeTarget(name, URI.create(url), DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_SERIES);
  }
}
