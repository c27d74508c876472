package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A custom collector: a command (argv, no shell) run every round whose standard output is JSON
 * or Prometheus text. After {@code timeout} (default 30 s), or once its output passes {@code
 * maxBytes}, the command and every process it started are killed and the failure is reported
 * ({@code syslens_command_success{command} 0}, {@code syslens_command_timed_out{command} 1}).
 */
public record CommandSource(String name, List<String> argv, Format format, Duration timeout, int maxBytes,
    int maxSeries) {

  /** What the command prints. */
  public enum Format { JSON, PROMETHEUS }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_SERIES = 10_000;

  public CommandSource {
    requireNonNull(name, "name");
    requireNonNull(format, "format");
    requireNonNull(timeout, "timeout");
    Sources.checkName("command", name);
    argv = List.copyOf(requireNonNull(argv, "argv"));
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      throw new IllegalArgumentException("command " + name + ": empty command line (expected: a program and its arguments)");
    }
    Sources.checkLimits("command " + name, timeout, maxBytes, maxSeries);
  }

  /** A command with the default timeout (30 s) and limits (1 MiB of output, 10,000 series). */
  public static CommandSource of(String name, Format format, List<String> argv) {
    return new CommandSource(name, argv, format, DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_SERIES);
  }
}
