package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.HttpService;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus' status endpoints in its shapes: {@code /api/v1/status/buildinfo} (Grafana reads it
 * to learn what API the data source speaks), {@code /api/v1/status/runtimeinfo} and
 * {@code /api/v1/status/flags}.
 *
 * <p>{@code version} is the Prometheus API level SysLens answers to ({@value #PROMETHEUS_API}),
 * so that clients which enable features by Prometheus version (Grafana's label match API, query
 * editor features) treat SysLens as that; SysLens' own version is in {@code syslensVersion}.
 */
public final class StatusApi {
  static final String PROMETHEUS_API = "2.42.0";

  private final String version;
  private final Instant started;
  private final Map<String, String> flags;

  /** {@code flags}: the server's settings under Prometheus' flag names where one exists. */
  public StatusApi(String version, Clock clock, Map<String, String> flags) {
    this.version = requireNonNull(version, "version");
    this.started = requireNonNull(clock, "clock").instant();
    this.flags = new TreeMap<>(requireNonNull(flags, "flags"));
  }

  public HttpService buildInfo() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("version", PROMETHEUS_API);
      d.put("revision", "syslens-" + version);
      d.put("branch", "");
      d.put("buildUser", "");
      d.put("buildDate", "");
      d.put("goVersion", "java" + Runtime.version().feature());
      d.put("application", "syslens");
      d.put("syslensVersion", version);
      return d;
    });
  }

  public HttpService runtimeInfo() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("startTime", started.toString());
      d.put("CWD", System.getProperty("user.dir"));
      d.put("reloadConfigSuccess", true);
      d.put("lastConfigTime", started.toString());
      d.put("corruptionCount", 0);
      d.put("goroutineCount", Thread.activeCount());
      d.put("GOMAXPROCS", Runtime.getRuntime().availableProcessors());
      d.put("GOGC", "");
      d.put("GODEBUG", "");
      d.put("storageRetention", flags.getOrDefault("storage.tsdb.retention.time", "unlimited"));
      return d;
    });
  }

  public HttpService flags() {
    return (ctx, req) -> PromRequests.handle(ctx, req, p -> flags);
  }
}
