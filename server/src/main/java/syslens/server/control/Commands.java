package syslens.server.control;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import syslens.agent.v1.Command;
import syslens.agent.v1.CommandResult;
import syslens.security.AuditLog;

/**
 * Named actions sent to agents over their stream, one Command per node correlated by id with its
 * CommandResult; a node that is not connected is reported offline at once, one that does not
 * answer in time as timeout. Every send is recorded in the audit log with who, what, which node
 * and the outcome. {@code shell} exists only when the installation enables it.
 */
public final class Commands {
  public static final String COLLECT_NOW = "collect_now";
  public static final String RUN_COMMAND = "run_command";
  public static final String DIAGNOSTICS = "diagnostics";
  public static final String RESTART = "restart";
  public static final String SHELL = "shell";
  static final int MAX_OUTPUT = 64 * 1024;
  static final int MAX_PENDING = 100_000;
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  /** How sending reaches agents: the agent stream service. */
  public interface Link {
    /** Sends to the node's open stream; false when it has none. */
    boolean send(String nodeId, Command command);
  }

  /** One node's outcome: ok, failed, offline or timeout. */
  public record Result(String node, String status, String output) {}

  private final Link link;
  private final NodeConfigs configs;
  private final AuditLog audit;
  private final boolean shellEnabled;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(String node, CompletableFuture<CommandResult> result) {}

  public Commands(Link link, NodeConfigs configs, AuditLog audit, boolean shellEnabled) {
    this.link = requireNonNull(link, "link");
    this.configs = requireNonNull(configs, "configs");
    this.audit = requireNonNull(audit, "audit");
    this.shellEnabled = shellEnabled;
  }

  /** The actions this server offers (shell only when enabled). */
  public Set<String> actions() {
    return shellEnabled ? Set.of(COLLECT_NOW, RUN_COMMAND, DIAGNOSTICS, RESTART, SHELL)
        : Set.of(COLLECT_NOW, RUN_COMMAND, DIAGNOSTICS, RESTART);
  }

  /** Checks an action and its arguments before anything is sent; IllegalArgumentException names the field. */
  public void check(String action, Map<String, String> args) {
    requireNonNull(args, "args");
    if (action == null || !actions().contains(action)) {
      throw new IllegalArgumentException("action: " + (action == null ? "missing" : "\"" + abbreviate(action) + "\"")
          + " (expected: one of " + new java.util.TreeSet<>(actions()) + (shellEnabled ? ""
          : "; shell is off unless the server runs with --allow-shell-commands") + ")");
    }
    if (args.size() > 16) {
      throw new IllegalArgumentException("args: " + args.size() + " entries (expected: <= 16)");
    }
    args.forEach((k, v) -> {
      if (k.length() > 64 || v.length() > 4096) {
        throw new IllegalArgumentException("args." + abbreviate(k) + ": too long (expected: name <= 64, value <= 4096 chars)");
      }
    });
    if (action.equals(RUN_COMMAND) && (args.get("name") == null || args.get("name").isEmpty())) {
      throw new IllegalArgumentException("args.name: missing (expected: the name of a configured custom command)");
    }
    if (action.equals(SHELL) && (args.get("command") == null || args.get("command").isBlank())) {
      throw new IllegalArgumentException("args.command: missing (expected: the shell command line)");
    }
  }

  /**
   * Sends {@code action} to every node and waits up to {@code timeout} for their answers; results
   * in the order of {@code nodes}. Call {@link #check} first.
   */
  public List<Result> send(String action, Map<String, String> args, List<String> nodes, Duration timeout,
      String who, String source) {
    check(action, args);
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= 10m)");
    }
    if (pending.size() + nodes.size() > MAX_PENDING) {
      throw new IllegalStateException("commands: " + pending.size() + " waiting for answers (expected: <= "
          + MAX_PENDING + "); try again later");
    }
    Map<String, Object> slots = new LinkedHashMap<>();
    for (String node : nodes) {
      if (action.equals(RUN_COMMAND) && !hasCommand(node, args.get("name"))) {
        slots.put(node, new Result(node, "failed", "no custom command named " + args.get("name")
            + " in this node's configuration"));
        continue;
      }
      String id = UUID.randomUUID().toString();
      Pending p = new Pending(node, new CompletableFuture<>());
      pending.put(id, p);
      Command c = Command.newBuilder().setId(id).setAction(action).putAllArgs(args)
          .setTimeoutMs(timeout.toMillis()).build();
      if (!link.send(node, c)) {
        pending.remove(id);
        slots.put(node, new Result(node, "offline", "node is not connected"));
      } else {
        slots.put(node, id);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Result> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : slots.entrySet()) {
      Result r;
      if (e.getValue() instanceof Result done) {
        r = done;
      } else {
        String id = (String) e.getValue();
        Pending p = pending.get(id);
        try {
          CommandResult cr = p.result().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          r = new Result(e.getKey(), cr.getOk() ? "ok" : "failed", truncate(cr.getOutput()));
        } catch (TimeoutException ex) {
          r = new Result(e.getKey(), "timeout", "no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          r = new Result(e.getKey(), "timeout", "interrupted");
        } catch (ExecutionException ex) {
          r = new Result(e.getKey(), "failed", String.valueOf(ex.getCause()));
        } finally {
          pending.remove(id);
        }
      }
      audit.append(who, "command." + action, r.node(), source, r.status() + (args.isEmpty() ? "" : " " + args));
      out.add(r);
    }
    return out;
  }

  /** An agent answered; ignored unless it answers a command sent to that very node. */
  public void answered(String nodeId, CommandResult result) {
    Pending p = pending.get(result.getId());
    if (p != null && p.node().equals(nodeId)) {
      p.result().complete(result);
    }
  }

  private boolean hasCommand(String node, String name) {
    List<NodeConfig.Command> cs = configs.effectiveConfig(node).customCommands();
    return cs != null && cs.stream().anyMatch(c -> c.name().equals(name));
  }

  private static String truncate(String s) {
    return s.length() <= MAX_OUTPUT ? s : s.substring(0, MAX_OUTPUT) + "\n[truncated]";
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
