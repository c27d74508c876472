package syslens.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code syslens bench storage|query}: side-by-side runs against real peers; the last line is one JSON object. */
@Command(name = "syslens bench", mixinStandardHelpOptions = true, version = "SysLens bench 0.1.0",
    description = "Benchmarks beside real peers (docs/benchmarks.md). Progress goes to stderr; the last line "
        + "on stdout is one JSON object.",
    subcommands = {StorageBench.class, QueryBench.class, AlertsBench.class, RestartBench.class, MemoryBench.class,
        AgentBench.class, FleetBench.class, UiBench.class, ReportBench.class, ClusterBench.class})
public final class BenchMain implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new BenchMain());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("syslens bench: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (System.getenv("SYSLENS_BENCH_DEBUG") != null) {
        ex.printStackTrace();
      }
      return 1;
    });
    int rc = cl.execute(args);
    System.exit(args.length == 0 ? 2 : rc);
  }

  /** Options shared by both benchmarks: the data set and where the server jar is. */
  abstract static class Common {
    abstract int hosts();

    abstract double hours();

    @Option(names = "--series-per-host", paramLabel = "S", defaultValue = "800",
        description = "Series per node_exporter-like host (the recording has ~500; more are replicas with other "
            + "cpu/device labels). Default: ${DEFAULT-VALUE}.")
    int seriesPerHost;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
        description = "Sample interval, e.g. 10s, 1m. Default: ${DEFAULT-VALUE}.")
    String interval;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the per-host variation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "Where the run's new syslens-bench-* directory goes (default: the system temp dir); deleted after the run unless --keep.")
    Path workDir;

    @Option(names = "--keep", description = "Keep the data directories after the run.")
    boolean keep;

    @CommandLine.Mixin
    ServerOptions server = new ServerOptions();

    long intervalMs() {
      return parseDuration("--interval", interval);
    }

    void check() {
      int hosts = hosts();
      double hours = hours();
      if (hosts < 1 || hosts > 100_000) {
        throw new IllegalArgumentException("--hosts: " + hosts + " (expected: 1..100000)");
      }
      if (seriesPerHost < 1 || seriesPerHost > 100_000) {
        throw new IllegalArgumentException("--series-per-host: " + seriesPerHost + " (expected: 1..100000)");
      }
      if (!(hours > 0 && hours <= 24 * 400)) {
        throw new IllegalArgumentException("--hours: " + hours + " (expected: > 0 and <= 9600)");
      }
      long ms = intervalMs();
      if (ms < 1000 || ms > 3_600_000) {
        throw new IllegalArgumentException("--interval: " + interval + " (expected: 1s..1h)");
      }
      if (hours * 3_600_000 / ms < 2) {
        throw new IllegalArgumentException("--hours " + hours + " at --interval " + interval
            + " gives fewer than 2 samples per series (expected: more hours or a shorter interval)");
      }
    }

    Servers.Launch launch() {
      return server.launch();
    }

    /** Rounds for --hours at --interval; the last one at a whole interval before now. */
    int rounds() {
      return (int) Math.max(2, Math.round(hours() * 3_600_000 / intervalMs()));
    }

    long startMs(int rounds) {
      long ms = intervalMs();
      long end = Math.floorDiv(System.currentTimeMillis() - 60_000, ms) * ms;
      return end - (long) (rounds - 1) * ms;
    }
  }

  /** Where the SysLens server jar is and how to run it (the launcher passes its java and JVM options). */
  static final class ServerOptions {
    @Option(names = "--server-jar", paramLabel = "FILE", defaultValue = "${sys:syslens.bench.serverJar:-server/target/syslens-server.jar}",
        description = "The SysLens server jar. Default: ${DEFAULT-VALUE}.")
    Path serverJar;

    @Option(names = "--server-java", paramLabel = "FILE", defaultValue = "${sys:syslens.bench.java:-${sys:java.home}/bin/java}",
        description = "The java that runs the server. Default: ${DEFAULT-VALUE}.")
    Path serverJava;

    @Option(names = "--server-jvm-opts", paramLabel = "OPTS", defaultValue = "${sys:syslens.bench.serverJvmOpts:-}",
        description = "JVM options of the server (the launcher passes the ones './syslens server' uses).")
    String serverJvmOpts;

    Servers.Launch launch() {
      List<String> opts = new ArrayList<>();
      for (String o : serverJvmOpts.trim().split("\\s+")) {
        if (!o.isEmpty()) {
          opts.add(o);
        }
      }
      return new Servers.Launch(serverJava, opts, serverJar);
    }
  }

  static long parseDuration(String option, String v) {
    Matcher m = Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(v == null ? "" : v);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": \"" + v + "\" (expected: a number and ms, s, m or h, e.g. 10s)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      default -> n * 3_600_000;
    };
  }
}
