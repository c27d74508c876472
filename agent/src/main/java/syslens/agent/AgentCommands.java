package syslens.agent;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.lite.Command;
import syslens.agent.v1.lite.CommandResult;

/**
 * The agent's side of server commands: collect_now, run_command (a custom command of the
 * configuration, by name), diagnostics, restart, and shell only when the agent allows it. Each runs
 * on its own virtual thread so a slow command never holds the connection's thread.
 */
final class AgentCommands {
  private static final Logger log = LoggerFactory.getLogger(AgentCommands.class);

  private AgentCommands() {}

  static void handle(Agent agent, Command c, Consumer<CommandResult> reply) {
    log.info("command {} ({}) from the server", c.getAction(), c.getId());
    Thread.ofVirtual().name("syslens-agent-command").start(() -> {
      CommandResult.Builder r = CommandResult.newBuilder().setId(c.getId());
      Runnable after = null;
      try {
        switch (c.getAction()) {
          case "collect_now" -> r.setOk(true).setOutput("collected " + agent.collectNow() + " series");
          case "diagnostics" -> r.setOk(true).setOutput(agent.diagnostics());
          case "restart" -> {
            r.setOk(true).setOutput("restarting");
            after = agent.restartHook();
          }
          case "run_command" -> {
            String name = c.getArgsOrDefault("name", "");
            RemoteConfig.CustomCommand cc = agent.remoteConfig().customCommands().stream()
                .filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (cc == null) {
              r.setOk(false).setOutput("no custom command named " + name + " in configuration version "
                  + agent.remoteConfig().version());
            } else {
              CommandRunner.Outcome o = CommandRunner.run(cc.argv(), cc.timeout());
              r.setOk(o.ok()).setOutput(o.output());
            }
          }
          case "shell" -> {
            if (!agent.shellAllowed()) {
              r.setOk(false).setOutput("shell commands are off on this agent (expected: started with "
                  + "--allow-shell-commands)");
            } else {
              long ms = c.getTimeoutMs() > 0 ? c.getTimeoutMs() : 30_000;
              CommandRunner.Outcome o = CommandRunner.run(List.of("/bin/sh", "-c", c.getArgsOrDefault("command", "")),
                  java.time.Duration.ofMillis(ms));
              r.setOk(o.ok()).setOutput(o.output());
            }
          }
          default -> r.setOk(false).setOutput("unknown action " + c.getAction()
              + " (expected: collect_now, run_command, diagnostics, restart or shell)");
        }
      } catch (Exception e) {
        r.setOk(false).setOutput(c.getAction() + " failed: " + e);
      }
      reply.accept(r.build());
      if (after != null) {
        after.run();
      }
    });
  }
}
