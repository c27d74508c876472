package syslens.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import syslens.agent.collect.CollectConfig;
import syslens.agent.collect.CommandSource;
import syslens.agent.collect.ScrapeTarget;

/**
 * {@code syslens-agent}: collects this host's metrics and streams them to a SysLens server.
 * Exit status: 1 on an unexpected error or an unsupported OS, 2 for bad options, 3 when the server
 * refused the agent for good (e.g. a wrong enrollment token); a signal stops it through a shutdown
 * hook that closes the agent.
 */
@Command(name = "syslens-agent", mixinStandardHelpOptions = true,
    versionProvider = AgentMain.Version.class, sortOptions = false,
    description = "Collects this host's metrics (node_exporter names) and streams them to a "
        + "SysLens server over TLS.",
    footer = {"", "The enrollment token comes from --token-file or the environment variable "
        + "SYSLENS_ENROLLMENT_TOKEN, never from the command line. It is needed for the first "
        + "connection only: the server then gives this node its own credential, kept in --state-dir.",
        "Exit status: 1 error or unsupported OS, 2 bad options, 3 refused by the server "
            + "(e.g. wrong token); SIGTERM/SIGINT stop it cleanly."})
public final class AgentMain implements Callable<Integer> {

  static final int EXIT_ERROR = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_REJECTED = 3;
  static final String TOKEN_ENV = "SYSLENS_ENROLLMENT_TOKEN";

  @Spec
  CommandSpec spec;

  @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "Server address, or several separated by commas: the agent fails over to the next when a "
          + "connect fails (default: ${DEFAULT-VALUE}).")
  String server;

  @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust the CA certificate(s) "
      + "in this PEM file.")
  Path caFile;

  @Option(names = "--ca-fingerprint", paramLabel = "SHA256",
      description = "Trust the server's CA certificate with this SHA-256 fingerprint "
          + "(hex, colons optional).")
  String caFingerprint;

  @Option(names = "--token-file", paramLabel = "PATH",
      description = "File holding the enrollment token (else $" + TOKEN_ENV + ").")
  Path tokenFile;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where the node keeps its credential (mode 0700/0600). Default: $"
          + "SYSLENS_AGENT_STATE_DIR, else /var/lib/syslens-agent as root, else ~/.local/state/syslens-agent.")
  Path stateDir;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
      description = "Collection interval, e.g. 10s, 500ms, 1m (default: ${DEFAULT-VALUE}; "
          + "the server may change it).")
  String interval;

  @Option(names = "--node-id", paramLabel = "ID", description = "Stable node id "
      + "(default: the host name).")
  String nodeId;

  @Option(names = "--allow-shell-commands",
      description = "Run arbitrary shell command lines the server sends (its 'shell' command). Off by default.")
  boolean allowShellCommands;

  @Option(names = "--label", paramLabel = "K=V", description = "Extra label for every series "
      + "of this node (repeatable).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--buffer-mib", paramLabel = "MIB", defaultValue = "256",
      description = "Unacknowledged data kept on disk under the state directory, in MiB "
          + "(oldest dropped first beyond; survives restarts; default: ${DEFAULT-VALUE}).")
  long bufferMib;

  @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
      description = "Where procfs is mounted (default: ${DEFAULT-VALUE}).")
  Path procRoot;

  @Option(names = "--sys-root", paramLabel = "DIR", defaultValue = "/sys",
      description = "Where sysfs is mounted (default: ${DEFAULT-VALUE}).")
  Path sysRoot;

  @Option(names = "--disable-collector", paramLabel = "NAME", split = ",",
      description = "Switch a built-in collector off (repeatable or comma-separated; e.g. processes,hwmon).")
  List<String> disabledCollectors = new ArrayList<>();

  @Option(names = "--top-processes", paramLabel = "N", defaultValue = "5",
      description = "Top N processes by CPU and by memory as series (0 = none; default: ${DEFAULT-VALUE}).")
  int topProcesses;

  @Option(names = "--mount-timeout", paramLabel = "DURATION", defaultValue = "5s",
      description = "Per-mount statfs deadline; a mount that does not answer is reported and skipped "
          + "until it does (default: ${DEFAULT-VALUE}).")
  String mountTimeout;

  @Option(names = "--scrape", paramLabel = "NAME=URL",
      description = "Scrape a local Prometheus /metrics endpoint every round (repeatable); its series get job=NAME.")
  Map<String, String> scrapes = new LinkedHashMap<>();

  @Option(names = "--command", paramLabel = "NAME=FORMAT:COMMAND",
      description = "Custom collector: run COMMAND (split on spaces, no shell) every round; FORMAT is json or "
          + "prometheus (repeatable). Killed with its children after --command-timeout.")
  Map<String, String> commands = new LinkedHashMap<>();

  @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "Deadline of each custom command run (default: ${DEFAULT-VALUE}).")
  String commandTimeout;

  private final Map<String, String> env;

  AgentMain(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(run(System.getenv(), args));
  }

  static int run(Map<String, String> env, String... args) {
    return commandLine(env).execute(args);
  }

  static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    return commandLine(env).setOut(out).setErr(err).execute(args);
  }

  private static CommandLine commandLine(Map<String, String> env) {
    return commandLine(new AgentMain(env));
  }

  /** Options may come from an @-file, one option or value per line, {@code #} comments. */
  static CommandLine commandLine(AgentMain main) {
    return new CommandLine(main).setUseSimplifiedAtFiles(true).setParameterExceptionHandler((e, args) -> {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println("syslens-agent: " + e.getMessage());
      cmd.getErr().println("Try 'syslens-agent --help' for the options.");
      return EXIT_USAGE;
    });
  }

  /** Exit status after the server's restart command (the service manager starts the agent again). */
  static final int EXIT_RESTART = 75;

  @Override
  public Integer call() throws Exception {
    if (!HostInfo.isSupported()) {
      spec.commandLine().getErr().println("syslens-agent: " + System.getProperty("os.name")
          + " is not supported (expected: Linux, Windows or macOS)");
      return EXIT_ERROR;
    }
    Agent agent = buildAgent();
    Thread hook = new Thread(agent::close, "syslens-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    agent.start();
    agent.awaitStopped(Duration.ofMillis(Long.MAX_VALUE));
    if (agent.state() == AgentState.STOPPED_FATAL) {
      agent.close();
      return EXIT_REJECTED;
    }
    return 0;
  }

  /** Validates the options into an agent; bad values become usage errors (exit 2). */
  Agent buildAgent() {
    Agent.Builder b = Agent.builder();
    try {
      b.servers(java.util.Arrays.asList(server.split(",")));
      b.interval(parseInterval(interval));
    } catch (IllegalArgumentException e) {
      throw usage("--" + e.getMessage());
    }
    if ((caFile == null) == (caFingerprint == null)) {
      throw usage("--ca-file / --ca-fingerprint: " + (caFile == null ? "neither" : "both")
          + " given (expected: exactly one; the agent always uses TLS)");
    }
    if (caFile != null) {
      if (!Files.isReadable(caFile)) {
        throw usage("--ca-file: " + caFile + " (expected: a readable PEM file)");
      }
      b.caFile(caFile);
    } else {
      try {
        b.caFingerprint(caFingerprint);
      } catch (IllegalArgumentException e) {
        throw usage("--ca-fingerprint: " + caFingerprint
            + " (expected: SHA-256 as 64 hex digits, colons optional)");
      }
    }
    String token = readToken();
    if (token != null) {
      b.enrollmentToken(token);
    }
    b.stateDir(stateDir != null ? stateDir : defaultStateDir());
    if (nodeId != null) {
      if (nodeId.isBlank()) {
        throw usage("--node-id: '' (expected: a non-empty id)");
      }
      b.nodeId(nodeId);
    }
    labels.forEach((k, v) -> {
      if (!k.matches("[a-zA-Z_][a-zA-Z0-9_]*") || k.startsWith("__")) {
        throw usage("--label: " + k + "=" + v + " (expected: name=value, name like [a-zA-Z_]"
            + "[a-zA-Z0-9_]* not starting with __)");
      }
      b.label(k, v);
    });
    if (bufferMib < 1 || bufferMib > 1L << 20) {
      throw usage("--buffer-mib: " + bufferMib + " (expected: 1-1048576)");
    }
    b.maxBuffered(0, bufferMib << 20);
    b.procRoot(procRoot).sysRoot(sysRoot);
    b.allowShellCommands(allowShellCommands);
    // The restart command: exit with EXIT_RESTART after the answer had a moment to leave; the
    // systemd unit restarts the agent (Restart=always).
    b.onRestart(() -> Thread.ofPlatform().daemon().start(() -> {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.exit(EXIT_RESTART);
    }));
    try {
      b.collect(collectConfig());
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    try {
      return b.build();
    } catch (UncheckedIOException e) {
      throw usage(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage().startsWith("enrollmentToken") ? "enrollment token: none and no stored node "
          + "credential (expected: --token-file PATH or $" + TOKEN_ENV + " for the first connection)" : e.getMessage());
    }
  }

  /** The collection settings of the flags (the server may later push the same object). */
  CollectConfig collectConfig() {
    Duration cmdTimeout = Durations.parse("--command-timeout", commandTimeout);
    List<ScrapeTarget> targets = new ArrayList<>();
    scrapes.forEach((name, url) -> {
      try {
        targets.add(new ScrapeTarget(name, URI.create(url), ScrapeTarget.DEFAULT_TIMEOUT,
            ScrapeTarget.DEFAULT_MAX_BYTES, ScrapeTarget.DEFAULT_MAX_SERIES));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--scrape: " + e.getMessage());
      }
    });
    List<CommandSource> cmds = new ArrayList<>();
    commands.forEach((name, spec) -> {
      int colon = spec.indexOf(':');
      String format = colon < 0 ? "" : spec.substring(0, colon).toLowerCase(Locale.ROOT);
      if (!format.equals("json") && !format.equals("prometheus")) {
        throw new IllegalArgumentException("--command: " + name + "=" + spec
            + " (expected: NAME=json:COMMAND or NAME=prometheus:COMMAND)");
      }
      List<String> argv = List.of(spec.substring(colon + 1).strip().split("\\s+"));
      cmds.add(new CommandSource(name, argv, CommandSource.Format.valueOf(format.toUpperCase(Locale.ROOT)),
          cmdTimeout, CommandSource.DEFAULT_MAX_BYTES, CommandSource.DEFAULT_MAX_SERIES));
    });
    return new CollectConfig(Set.copyOf(disabledCollectors), topProcesses,
        Durations.parse("--mount-timeout", mountTimeout), targets, cmds).validate();
  }

  private Path defaultStateDir() {
    String fromEnv = env.get("SYSLENS_AGENT_STATE_DIR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/syslens-agent");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "syslens-agent");
  }

  private static Duration parseInterval(String text) {
    Duration d = Durations.parse("interval", text);
    if (d.compareTo(Agent.MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("interval: " + text + " (expected: >= "
          + Durations.format(Agent.MIN_INTERVAL) + ")");
    }
    return d;
  }

  private String readToken() {
    String token;
    if (tokenFile != null) {
      try {
        token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw usage("--token-file: " + tokenFile + " (expected: a readable file): " + e);
      }
      if (token.isEmpty()) {
        throw usage("--token-file: " + tokenFile + " is empty (expected: the enrollment token)");
      }
    } else {
      token = env.get(TOKEN_ENV);
      if (token == null || token.isBlank()) {
        return null; // fine once the node holds its own credential; the build says otherwise
      }
      token = token.strip();
    }
    return token;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"syslens-agent " + HostInfo.agentVersion()};
    }
  }
}
