package syslens.server;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.Command;
import syslens.agent.v1.CommandResult;
import syslens.server.cluster.ClusterBus;
import syslens.server.control.Commands;
import syslens.server.control.NodeConfigs;
import syslens.server.ingest.AgentIngestService;

/**
 * Routes the control plane across server instances over the {@link ClusterBus}: which instance
 * holds which node's stream (topics {@code up}, {@code down}, {@code who}), configuration changes
 * ({@code config}: the others reload and push to the nodes they hold) and commands ({@code cmd}
 * to the holder, {@code result} back). On a single instance the bus is local and this only sends
 * to the streams held here.
 */
final class ClusterWiring {
  private static final Logger log = LoggerFactory.getLogger(ClusterWiring.class);
  /** Commands relayed here and not answered yet, at most this many (oldest forgotten first). */
  static final int MAX_RELAYED = 10_000;
  /** Room left in a message for a command result's output after the envelope. */
  static final int MAX_RESULT_OUTPUT = 4_000;

  /** How often each instance repeats which streams it holds; a claim not repeated for 3 periods lapses. */
  static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(30);

  private record Holder(String instance, long since) {}

  private final ClusterBus bus;
  private final AgentIngestService ingest;
  private final Clock clock;
  /**
   * Node id to the instance that said it holds the node's stream, and when it last said so: an
   * instance killed without a word stops repeating it, and its claims lapse.
   */
  private final Map<String, Holder> elsewhere = new ConcurrentHashMap<>();
  /** Command id to the instance that asked, for commands relayed to nodes held here. */
  private final Map<String, String> relayed = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX_RELAYED;
        }
      });

  ClusterWiring(ClusterBus bus, AgentIngestService ingest, NodeConfigs configs, Clock clock) {
    this.bus = requireNonNull(bus, "bus");
    this.ingest = requireNonNull(ingest, "ingest");
    this.clock = requireNonNull(clock, "clock");
    requireNonNull(configs, "configs");
    ingest.onPresence((node, up) -> {
      if (up) {
        elsewhere.remove(node);
      }
      bus.publish(up ? "up" : "down", node);
    });
    bus.subscribe("up", (from, body) -> {
      for (String node : body.split(",")) {
        if (!node.isEmpty() && !ingest.isConnected(node)) {
          elsewhere.put(node, new Holder(from, clock.millis()));
        }
      }
    });
    bus.subscribe("down", (from, node) -> elsewhere.computeIfPresent(node, (n, h) -> h.instance().equals(from) ? null : h));
    bus.subscribe("who", (from, body) -> announce());
    configs.onStored((kind, scope) -> bus.publish("config", kind + "/" + scope));
    bus.subscribe("config", (from, body) -> {
      int slash = body.indexOf('/');
      String kind = slash < 0 ? "" : body.substring(0, slash);
      if (!kind.equals(NodeConfigs.NODE) && !kind.equals(NodeConfigs.GROUP) && !kind.equals(NodeConfigs.MEMBER)) {
        log.warn("cluster bus: ignoring a config message of kind {}", kind.length() > 16 ? kind.substring(0, 16) : kind);
        return;
      }
      for (String node : configs.reload(kind, body.substring(slash + 1))) {
        ingest.pushConfig(node);
      }
    });
    bus.onResync(() -> {
      // Messages may have been missed: configurations are read again and pushed to the nodes held
      // here (agents apply a version they already run as a no-op), and presence is asked for.
      configs.reload();
      for (String node : ingest.connectedNodes()) {
        ingest.pushConfig(node);
      }
      announce();
      bus.publish("who", "");
    });
  }

  /** Relays commands to the nodes held here and their results back (call once, before the bus starts). */
  void commands(Commands commands) {
    requireNonNull(commands, "commands");
    bus.subscribe("cmd", (from, body) -> {
      int nl = body.indexOf('\n');
      String node = nl < 0 ? "" : body.substring(0, nl);
      if (!ingest.isConnected(node)) {
        return;
      }
      try {
        Command c = Command.parseFrom(Base64.getDecoder().decode(body.substring(nl + 1)));
        relayed.put(c.getId(), from);
        if (!ingest.sendCommand(node, c)) {
          relayed.remove(c.getId());
        }
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        log.warn("cluster bus: ignoring an unreadable command for node {}: {}", node, e.getMessage());
      }
    });
    ingest.onCommandResult((node, r) -> {
      commands.answered(node, r);
      if (relayed.remove(r.getId()) != null) {
        CommandResult small = r.getOutput().length() <= MAX_RESULT_OUTPUT ? r : r.toBuilder()
            .setOutput(r.getOutput().substring(0, MAX_RESULT_OUTPUT) + "\n[truncated: relayed between server instances]")
            .build();
        bus.publish("result", node + "\n" + Base64.getEncoder().encodeToString(small.toByteArray()));
      }
    });
    bus.subscribe("result", (from, body) -> {
      int nl = body.indexOf('\n');
      if (nl < 0) {
        return;
      }
      try {
        commands.answered(body.substring(0, nl), CommandResult.parseFrom(Base64.getDecoder().decode(body.substring(nl + 1))));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        log.warn("cluster bus: ignoring an unreadable command result: {}", e.getMessage());
      }
    });
  }

  /** How commands reach a node: its stream here, or the instance that holds it. */
  boolean send(String node, Command command) {
    if (ingest.sendCommand(node, command)) {
      return true;
    }
    if (!bus.clustered() || !heldElsewhere(node)) {
      return false;
    }
    return bus.publish("cmd", node + "\n" + Base64.getEncoder().encodeToString(command.toByteArray()));
  }

  /** True when another instance said it holds the node's stream (so this one must not write it away). */
  boolean heldElsewhere(String node) {
    Holder h = elsewhere.get(node);
    if (h == null) {
      return false;
    }
    if (clock.millis() - h.since() > 3 * ANNOUNCE_EVERY.toMillis()) {
      elsewhere.remove(node, h); // its instance went silent (killed, cut off)
      return false;
    }
    return true;
  }

  /** Tells the others every node held here, in messages within the size limit (also every {@link #ANNOUNCE_EVERY}). */
  void announce() {
    if (!bus.clustered()) {
      return;
    }
    try {
      announceHeld();
    } catch (RuntimeException e) {
      log.warn("cluster bus: announcing the streams held here failed: {}", e.toString());
    }
  }

  private void announceHeld() {
    List<String> batch = new ArrayList<>();
    int size = 0;
    for (String node : ingest.connectedNodes()) {
      if (size + node.length() + 1 > ClusterBus.MAX_BODY_BYTES && !batch.isEmpty()) {
        bus.publish("up", String.join(",", batch));
        batch.clear();
        size = 0;
      }
      batch.add(node);
      size += node.length() + 1;
    }
    if (!batch.isEmpty()) {
      bus.publish("up", String.join(",", batch));
    }
  }
}
