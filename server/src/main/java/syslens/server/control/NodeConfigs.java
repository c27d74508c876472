package syslens.server.control;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import syslens.agent.v1.ConfigUpdate;
import syslens.server.meta.MetaStore;

/**
 * Versioned configuration per group and per node, and which group each node is in. A node's
 * effective configuration is the server's defaults, then its group's, then its own; its version is
 * the highest version among those and its membership, all from one counter, so every change that
 * affects a node gives it a higher version. Changes are validated ({@link NodeConfig#parse}) before
 * they get here, stored, then pushed to the connected nodes they affect.
 */
public final class NodeConfigs {
  public static final String GROUP = "group";
  public static final String NODE = "node";
  public static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** A stored configuration of one scope. */
  public record Scoped(String kind, String scope, NodeConfig config, long version, long updatedAt, String updatedBy) {}

  private final ConfigStore store;
  private final Clock clock;
  private final long defaultIntervalMs;
  private final Map<String, Scoped> current = new HashMap<>();
  private final Map<String, ConfigStore.Member> members = new HashMap<>();
  /** Version of the deletion of scopes whose newest row is a deletion. */
  private final Map<String, Long> deletedAt = new HashMap<>();
  private long version;
  private volatile Consumer<String> onChange = id -> { };
  /** Told (kind, scope) after a change was stored here: {@code node}, {@code group} or {@link #MEMBER}. */
  private volatile java.util.function.BiConsumer<String, String> onStored = (k, s) -> { };
  /** The kind {@link #onStored} names for a change of a node's group. */
  public static final String MEMBER = "member";

  private NodeConfigs(ConfigStore store, Clock clock, long defaultIntervalMs) {
    this.store = store;
    this.clock = clock;
    this.defaultIntervalMs = defaultIntervalMs;
    load();
  }

  /** Reads every scope's newest configuration, the memberships and the version counter again. */
  private void load() {
    current.clear();
    members.clear();
    deletedAt.clear();
    for (ConfigStore.Row r : store.latest()) {
      if (r.body() != null) {
        current.put(key(r.kind(), r.scope()), new Scoped(r.kind(), r.scope(), parseStored(r), r.version(),
            r.createdAt(), r.createdBy()));
      } else {
        deletedAt.put(key(r.kind(), r.scope()), r.version());
      }
    }
    for (ConfigStore.Member m : store.members()) {
      members.put(m.nodeId(), m);
    }
    version = store.maxVersion();
  }

  /**
   * Re-reads everything from the database: another server instance sharing it changed something
   * (the cluster bus said so); returns the nodes the change named (kind, scope as {@link #onStored}).
   */
  public List<String> reload(String kind, String scope) {
    synchronized (this) {
      load();
      return kind.equals(GROUP) ? membersOf(scope) : List.of(scope);
    }
  }

  /** Re-reads everything from the database (after the cluster bus lost messages). */
  public synchronized void reload() {
    load();
  }

  /** Called with (kind, scope) after each change stored by this instance (the cluster bus tells the others). */
  public void onStored(java.util.function.BiConsumer<String, String> listener) {
    this.onStored = requireNonNull(listener, "listener");
  }

  public static NodeConfigs create(MetaStore db, Clock clock, Duration defaultInterval) {
    return new NodeConfigs(new ConfigStore(requireNonNull(db, "db")), requireNonNull(clock, "clock"),
        requireNonNull(defaultInterval, "defaultInterval").toMillis());
  }

  /** Called with a node id whenever that node's effective configuration changed (the agent stream pushes it). */
  public void onChange(Consumer<String> listener) {
    this.onChange = requireNonNull(listener, "listener");
  }

  /** The node's effective configuration as the agent gets it. */
  public synchronized ConfigUpdate effective(String nodeId) {
    return effectiveConfig(nodeId).toProto(effectiveVersion(nodeId), defaultIntervalMs);
  }

  /** The node's effective configuration (defaults not filled in). */
  public synchronized NodeConfig effectiveConfig(String nodeId) {
    NodeConfig c = NodeConfig.EMPTY;
    String group = groupOf(nodeId);
    Scoped g = group == null ? null : current.get(key(GROUP, group));
    if (g != null) {
      c = g.config().over(c);
    }
    Scoped n = current.get(key(NODE, nodeId));
    if (n != null) {
      c = n.config().over(c);
    }
    return c;
  }

  /** The version the node should run (0: defaults only, never changed). */
  public synchronized long effectiveVersion(String nodeId) {
    long v = 0;
    ConfigStore.Member m = members.get(nodeId);
    if (m != null) {
      v = m.version();
      if (!m.group().isEmpty()) {
        v = Math.max(v, groupVersion(m.group()));
      }
    }
    return Math.max(v, scopeVersion(NODE, nodeId));
  }

  public synchronized String groupOf(String nodeId) {
    ConfigStore.Member m = members.get(nodeId);
    return m == null || m.group().isEmpty() ? null : m.group();
  }

  public synchronized Optional<Scoped> get(String kind, String scope) {
    return Optional.ofNullable(current.get(key(kind, scope)));
  }

  /** Stores a new version of a scope's configuration (null: delete it) and pushes it; returns the version. */
  public long put(String kind, String scope, NodeConfig config, String who) {
    checkScope(kind, scope);
    requireNonNull(who, "who");
    long v;
    List<String> affected;
    synchronized (this) {
      v = Math.max(version, store.maxVersion()) + 1; // other instances may have counted on
      long now = clock.millis();
      store.insert(new ConfigStore.Row(kind, scope, v, config == null ? null : config.toJson().toString(), now, who));
      version = v;
      if (config == null) {
        current.remove(key(kind, scope));
        deletedAt.put(key(kind, scope), v);
      } else {
        current.put(key(kind, scope), new Scoped(kind, scope, config, v, now, who));
      }
      affected = kind.equals(NODE) ? List.of(scope) : membersOf(scope);
    }
    affected.forEach(onChange);
    onStored.accept(kind, scope);
    return v;
  }

  /** Puts a node in a group (null or "": in none) and pushes its new effective configuration. */
  public long setGroup(String nodeId, String group) {
    checkScope(NODE, nodeId);
    String g = group == null ? "" : group;
    if (!g.isEmpty()) {
      checkScope(GROUP, g);
    }
    long v;
    synchronized (this) {
      v = Math.max(version, store.maxVersion()) + 1;
      ConfigStore.Member m = new ConfigStore.Member(nodeId, g, v);
      store.setMember(m);
      version = v;
      members.put(nodeId, m);
    }
    onChange.accept(nodeId);
    onStored.accept(MEMBER, nodeId);
    return v;
  }

  /** A decommissioned node: leaves its group and loses its own configuration (both recorded as versions). */
  public void forget(String nodeId, String who) {
    if (groupOf(nodeId) != null) {
      setGroup(nodeId, null);
    }
    if (get(NODE, nodeId).isPresent()) {
      put(NODE, nodeId, null, who);
    }
  }

  public synchronized List<String> membersOf(String group) {
    List<String> out = new ArrayList<>();
    members.values().forEach(m -> {
      if (m.group().equals(group)) {
        out.add(m.nodeId());
      }
    });
    out.sort(null);
    return out;
  }

  /** Every group that has members or a configuration, with its member count. */
  public synchronized Map<String, Integer> groups() {
    Map<String, Integer> out = new TreeMap<>();
    current.values().forEach(s -> {
      if (s.kind().equals(GROUP)) {
        out.putIfAbsent(s.scope(), 0);
      }
    });
    members.values().forEach(m -> {
      if (!m.group().isEmpty()) {
        out.merge(m.group(), 1, Integer::sum);
      }
    });
    return out;
  }

  public List<ConfigStore.Row> history(String kind, String scope, int limit) {
    checkScope(kind, scope);
    return store.history(kind, scope, limit);
  }

  public long defaultIntervalMs() {
    return defaultIntervalMs;
  }

  private long groupVersion(String group) {
    return scopeVersion(GROUP, group);
  }

  /** The version of the scope's newest row, deletions included (a deleted config still changed the node). */
  private long scopeVersion(String kind, String scope) {
    Scoped s = current.get(key(kind, scope));
    long v = s == null ? 0 : s.version();
    Long deleted = deletedAt.get(key(kind, scope));
    return deleted == null ? v : Math.max(v, deleted);
  }

  static void checkScope(String kind, String scope) {
    requireNonNull(scope, "scope");
    if (kind.equals(GROUP)) {
      if (!GROUP_NAME.matcher(scope).matches()) {
        throw new IllegalArgumentException("group: \"" + abbreviate(scope)
            + "\" (expected: 1-64 chars of [A-Za-z0-9_.-], starting with a letter or digit)");
      }
    } else if (kind.equals(NODE)) {
      if (!NODE_ID.matcher(scope).matches()) {
        throw new IllegalArgumentException("node: \"" + abbreviate(scope)
            + "\" (expected: 1-128 chars of [A-Za-z0-9._-], starting with a letter or digit)");
      }
    } else {
      throw new IllegalArgumentException("kind: " + kind + " (expected: group or node)");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  private static String key(String kind, String scope) {
    return kind + "/" + scope;
  }

  private static NodeConfig parseStored(ConfigStore.Row r) {
    try {
      return NodeConfig.parse(NodeConfig.JSON.readTree(r.body()));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("stored configuration of " + r.kind() + " " + r.scope() + " version "
          + r.version() + " is unreadable: " + e.getMessage(), e);
    }
  }
}
