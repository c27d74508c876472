package syslens.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's command line, parsed by hand: a dozen options do not need an annotation-driven
 * parser (picocli loaded ~170 classes plus reflection and annotation proxies into every agent,
 * none of them archivable; docs/benchmarks.md). Accepts {@code --name value} and
 * {@code --name=value}, repeatable options, and {@code @FILE} arguments holding one option or value
 * per line ({@code #} comments, blank lines skipped; at most {@link #MAX_ARG_FILE_BYTES}).
 */
final class AgentArgs {

  static final int MAX_ARG_FILE_BYTES = 1 << 20;

  /** A usage error: the message names the option, the value and what was expected. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** One option: its name, its value's label ({@code null} for a switch), help and default. */
  record Opt(String name, String label, String help, String defaultValue) {}

  static final List<Opt> OPTIONS = List.of(
      new Opt("--server", "HOST:PORT", "Server address, or several separated by commas: the agent fails over "
          + "to the next when a connect fails.", "127.0.0.1:8080"),
      new Opt("--ca-file", "PEM", "Trust the CA certificate(s) in this PEM file.", null),
      new Opt("--ca-fingerprint", "SHA256", "Trust the server's CA certificate with this SHA-256 fingerprint "
          + "(hex, colons optional).", null),
      new Opt("--token-file", "PATH", "File holding the enrollment token (else $" + AgentMain.TOKEN_ENV + ").", null),
      new Opt("--state-dir", "DIR", "Where the node keeps its credential (mode 0700/0600). Default: "
          + "$SYSLENS_AGENT_STATE_DIR, else /var/lib/syslens-agent as root, else ~/.local/state/syslens-agent.", null),
      new Opt("--interval", "DURATION", "Collection interval, e.g. 10s, 500ms, 1m (the server may change it).", "10s"),
      new Opt("--node-id", "ID", "Stable node id (default: the host name).", null),
      new Opt("--allow-shell-commands", null, "Run arbitrary shell command lines the server sends (its 'shell' "
          + "command). Off by default.", null),
      new Opt("--label", "K=V", "Extra label for every series of this node (repeatable).", null),
      new Opt("--buffer-mib", "MIB", "Unacknowledged data kept on disk under the state directory, in MiB "
          + "(oldest dropped first beyond; survives restarts).", "256"),
      new Opt("--proc-root", "DIR", "Where procfs is mounted.", "/proc"),
      new Opt("--sys-root", "DIR", "Where sysfs is mounted.", "/sys"),
      new Opt("--disable-collector", "NAME", "Switch a built-in collector off (repeatable or comma-separated; "
          + "e.g. processes,hwmon).", null),
      new Opt("--top-processes", "N", "Top N processes by CPU and by memory as series (0 = none).", "5"),
      new Opt("--mount-timeout", "DURATION", "Per-mount statfs deadline; a mount that does not answer is "
          + "reported and skipped until it does.", "5s"),
      new Opt("--scrape", "NAME=URL", "Scrape a local Prometheus /metrics endpoint every round (repeatable); "
          + "its series get job=NAME.", null),
      new Opt("--command", "NAME=FORMAT:COMMAND", "Custom collector: run COMMAND (split on spaces, no shell) "
          + "every round; FORMAT is json or prometheus (repeatable). Killed with its children after "
          + "--command-timeout.", null),
      new Opt("--command-timeout", "DURATION", "Deadline of each custom command run.", "30s"),
      new Opt("--help", null, "Show this help and exit (also -h).", null),
      new Opt("--version", null, "Print the version and exit (also -V).", null));

  String server = "127.0.0.1:8080";
  Path caFile;
  String caFingerprint;
  Path tokenFile;
  Path stateDir;
  String interval = "10s";
  String nodeId;
  boolean allowShellCommands;
  final Map<String, String> labels = new LinkedHashMap<>();
  long bufferMib = 256;
  Path procRoot = Path.of("/proc");
  Path sysRoot = Path.of("/sys");
  final List<String> disabledCollectors = new ArrayList<>();
  int topProcesses = 5;
  String mountTimeout = "5s";
  final Map<String, String> scrapes = new LinkedHashMap<>();
  final Map<String, String> commands = new LinkedHashMap<>();
  String commandTimeout = "30s";
  boolean help;
  boolean version;

  /** Parses the arguments ({@code @FILE} ones expanded); a bad one throws {@link UsageException}. */
  static AgentArgs parse(String... args) {
    AgentArgs a = new AgentArgs();
    List<String> all = expand(args);
    for (int i = 0; i < all.size(); i++) {
      String arg = all.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      Opt opt = option(name);
      if (opt == null) {
        throw new UsageException(arg.startsWith("-") ? "unknown option: '" + name + "' (expected one of the options of --help)"
            : "unexpected argument: '" + arg + "' (expected: options only)");
      }
      if (opt.label() == null) {
        if (value != null) {
          throw new UsageException(opt.name() + ": '" + value + "' (expected: no value; it is a switch)");
        }
      } else if (value == null) {
        if (i + 1 >= all.size()) {
          throw new UsageException(opt.name() + ": missing value (expected: " + opt.label() + ")");
        }
        value = all.get(++i);
      }
      a.set(opt, value);
    }
    return a;
  }

  private static Opt option(String name) {
    String full = switch (name) {
      case "-h" -> "--help";
      case "-V" -> "--version";
      default -> name;
    };
    for (Opt o : OPTIONS) {
      if (o.name().equals(full)) {
        return o;
      }
    }
    return null;
  }

  private void set(Opt opt, String v) {
    switch (opt.name()) {
      case "--server" -> server = v;
      case "--ca-file" -> caFile = path(opt, v);
      case "--ca-fingerprint" -> caFingerprint = v;
      case "--token-file" -> tokenFile = path(opt, v);
      case "--state-dir" -> stateDir = path(opt, v);
      case "--interval" -> interval = v;
      case "--node-id" -> nodeId = v;
      case "--allow-shell-commands" -> allowShellCommands = true;
      case "--label" -> entry(opt, v, labels);
      case "--buffer-mib" -> bufferMib = number(opt, v, Long.MIN_VALUE, Long.MAX_VALUE);
      case "--proc-root" -> procRoot = path(opt, v);
      case "--sys-root" -> sysRoot = path(opt, v);
      case "--disable-collector" -> {
        for (String c : v.split(",")) {
          if (!c.isBlank()) {
            disabledCollectors.add(c.strip());
          }
        }
      }
      case "--top-processes" -> topProcesses = (int) number(opt, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case "--mount-timeout" -> mountTimeout = v;
      case "--scrape" -> entry(opt, v, scrapes);
      case "--command" -> entry(opt, v, commands);
      case "--command-timeout" -> commandTimeout = v;
      case "--help" -> help = true;
      case "--version" -> version = true;
      default -> throw new IllegalStateException("option without a setter: " + opt.name());
    }
  }

  private static Path path(Opt opt, String v) {
    try {
      if (v.isEmpty()) {
        throw new InvalidPathException(v, "empty");
      }
      return Path.of(v);
    } catch (InvalidPathException e) {
      throw new UsageException(opt.name() + ": '" + v + "' (expected: " + opt.label() + ", a path)");
    }
  }

  private static long number(Opt opt, String v, long min, long max) {
    try {
      long n = Long.parseLong(v.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(opt.name() + ": '" + v + "' (expected: " + opt.label() + ", a whole number)");
  }

  private static void entry(Opt opt, String v, Map<String, String> into) {
    int eq = v.indexOf('=');
    if (eq <= 0) {
      throw new UsageException(opt.name() + ": '" + v + "' (expected: " + opt.label() + ")");
    }
    into.put(v.substring(0, eq), v.substring(eq + 1));
  }

  /** Replaces each {@code @FILE} argument by the file's lines (one argument per line). */
  private static List<String> expand(String... args) {
    List<String> all = new ArrayList<>(args.length);
    for (String arg : args) {
      if (!arg.startsWith("@") || arg.length() == 1) {
        all.add(arg);
        continue;
      }
      Path file;
      try {
        file = Path.of(arg.substring(1));
      } catch (InvalidPathException e) {
        throw new UsageException(arg + ": not a path (expected: @FILE, a file of options)");
      }
      byte[] bytes;
      try {
        if (Files.size(file) > MAX_ARG_FILE_BYTES) {
          throw new UsageException(arg + ": larger than " + MAX_ARG_FILE_BYTES + " bytes (expected: a file of options, "
              + "one per line)");
        }
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UsageException(arg + ": cannot read it (expected: a readable file of options, one per line): " + e);
      }
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\r?\n")) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          all.add(l);
        }
      }
    }
    return all;
  }

  /** The text of {@code --help}. */
  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: syslens-agent [OPTIONS] [@FILE...]\n")
        .append("Collects this host's metrics (node_exporter names) and streams them to a SysLens server over TLS.\n")
        .append("@FILE: options read from a file, one option or value per line, # comments.\n\n");
    for (Opt o : OPTIONS) {
      String head = "  " + o.name() + (o.label() == null ? "" : " " + o.label());
      sb.append(head);
      String help = o.help() + (o.defaultValue() == null ? "" : " Default: " + o.defaultValue() + ".");
      sb.append(head.length() < 30 ? " ".repeat(30 - head.length()) : "\n" + " ".repeat(30)).append(help).append('\n');
    }
    sb.append("\nThe enrollment token comes from --token-file or the environment variable ")
        .append(AgentMain.TOKEN_ENV).append(", never from the command line.\nIt is needed for the first connection ")
        .append("only: the server then gives this node its own credential, kept in --state-dir.\n")
        .append("Exit status: 1 error or unsupported OS, 2 bad options, 3 refused by the server (e.g. wrong token);\n")
        .append("SIGTERM/SIGINT stop it cleanly.\n");
    return sb.toString();
  }
}
