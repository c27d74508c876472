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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import syslens.agent.collect.CollectConfig;
import syslens.agent.collect.CommandSource;
import syslens.agent.collect.ScrapeTarget;

/**
 * {@code syslens-agent}: collects this host's metrics and streams them to a SysLens server.
 * Exit status: 1 on an unexpected error or an unsupported OS, 2 for bad options, 3 when the server
 * refused the agent for good (e.g. a wrong enrollment token); a signal stops it through a shutdown
 * hook that closes the agent. Options: {@link AgentArgs}.
 */
public final class AgentMain {

  static final int EXIT_ERROR = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_REJECTED = 3;
  static final String TOKEN_ENV = "SYSLENS_ENROLLMENT_TOKEN";

  private final Map<String, String> env;
  private final AgentArgs args;

  AgentMain(Map<String, String> env, AgentArgs args) {
    this.env = env;
    this.args = args;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(System.getenv(), out, err, args));
  }

  static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... argv) {
    try {
      AgentArgs args = AgentArgs.parse(argv);
      if (args.help) {
        out.print(AgentArgs.usage());
        out.flush();
        return 0;
      }
      if (args.version) {
        out.println("syslens-agent " + HostInfo.agentVersion());
        return 0;
      }
      return new AgentMain(env, args).call(err);
    } catch (AgentArgs.UsageException e) {
      err.println("syslens-agent: " + e.getMessage());
      err.println("Try 'syslens-agent --help' for the options.");
      return EXIT_USAGE;
    } catch (Exception e) {
      e.printStackTrace(err);
      return EXIT_ERROR;
    }
  }

  /** Exit status after the server's restart command (the service manager starts the agent again). */
  static final int EXIT_RESTART = 75;

  int call(PrintWriter err) throws InterruptedException {
    if (!HostInfo.isSupported()) {
      err.println("syslens-agent: " + System.getProperty("os.name")
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
    AgentBuilder b = Agent.builder();
    try {
      b.servers(java.util.Arrays.asList(args.server.split(",")));
      b.interval(parseInterval(args.interval));
    } catch (IllegalArgumentException e) {
      throw usage("--" + e.getMessage());
    }
    if ((args.caFile == null) == (args.caFingerprint == null)) {
      throw usage("--ca-file / --ca-fingerprint: " + (args.caFile == null ? "neither" : "both")
          + " given (expected: exactly one; the agent always uses TLS)");
    }
    if (args.caFile != null) {
      if (!Files.isReadable(args.caFile)) {
        throw usage("--ca-file: " + args.caFile + " (expected: a readable PEM file)");
      }
      b.caFile(args.caFile);
    } else {
      try {
        b.caFingerprint(args.caFingerprint);
      } catch (IllegalArgumentException e) {
        throw usage("--ca-fingerprint: " + args.caFingerprint
            + " (expected: SHA-256 as 64 hex digits, colons optional)");
      }
    }
    String token = readToken();
    if (token != null) {
      b.enrollmentToken(token);
    }
    b.stateDir(args.stateDir != null ? args.stateDir : defaultStateDir());
    if (args.nodeId != null) {
      if (args.nodeId.isBlank()) {
        throw usage("--node-id: '' (expected: a non-empty id)");
      }
      b.nodeId(args.nodeId);
    }
    args.labels.forEach((k, v) -> {
      if (!k.matches("[a-zA-Z_][a-zA-Z0-9_]*") || k.startsWith("__")) {
        throw usage("--label: " + k + "=" + v + " (expected: name=value, name like [a-zA-Z_]"
            + "[a-zA-Z0-9_]* not starting with __)");
      }
      b.label(k, v);
    });
    if (args.bufferMib < 1 || args.bufferMib > 1L << 20) {
      throw usage("--buffer-mib: " + args.bufferMib + " (expected: 1-1048576)");
    }
    b.maxBuffered(0, args.bufferMib << 20);
    b.procRoot(args.procRoot).sysRoot(args.sysRoot);
    b.allowShellCommands(args.allowShellCommands);
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
    Duration cmdTimeout = Durations.parse("--command-timeout", args.commandTimeout);
    List<ScrapeTarget> targets = new ArrayList<>();
    args.scrapes.forEach((name, url) -> {
      try {
        targets.add(new ScrapeTarget(name, URI.create(url), ScrapeTarget.DEFAULT_TIMEOUT,
            ScrapeTarget.DEFAULT_MAX_BYTES, ScrapeTarget.DEFAULT_MAX_SERIES));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--scrape: " + e.getMessage());
      }
    });
    List<CommandSource> cmds = new ArrayList<>();
    args.commands.forEach((name, spec) -> {
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
    return new CollectConfig(Set.copyOf(args.disabledCollectors), args.topProcesses,
        Durations.parse("--mount-timeout", args.mountTimeout), targets, cmds).validate();
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
    if (args.tokenFile != null) {
      try {
        token = Files.readString(args.tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw usage("--token-file: " + args.tokenFile + " (expected: a readable file): " + e);
      }
      if (token.isEmpty()) {
        throw usage("--token-file: " + args.tokenFile + " is empty (expected: the enrollment token)");
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

  private static AgentArgs.UsageException usage(String message) {
    return new AgentArgs.UsageException(message);
  }
}
