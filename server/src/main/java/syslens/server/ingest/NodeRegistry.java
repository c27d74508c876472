package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import syslens.server.meta.NodeStore;
import syslens.server.meta.NodeStore.NodeRecord;

/**
 * Which nodes exist and whether they are online. A node is online while its agent stream is open
 * and it has been heard from (batch or heartbeat) within {@code offlineAfter}.
 *
 * <p>The registry is in memory; its rows in the store (so the node list survives a restart) are
 * written by {@link #flush}, which the server calls every second and at shutdown: every change
 * since the last flush (new and changed nodes, last-seen times) in one transaction. So no agent's
 * Hello or stream end waits for, or fails on, a database write (one UPDATE per connect and per
 * disconnect at hundreds of connects a second made H2 throw write conflicts, and the Hello that
 * met one was refused). A crash loses at most the last second's changes: a node's row is written
 * again when it next connects. Decommissioning ({@link #remove}) writes at once.
 */
public final class NodeRegistry {
  /** A node's current state as the API shows it. */
  public record NodeView(String id, String kind, String hostname, String os, String agentVersion,
      Map<String, String> labels, boolean online, long lastSeen, long configVersion, boolean streaming) {
    /** online; stale: its stream is open but nothing was heard within the offline time; offline. */
    public String status() {
      return online ? "online" : streaming ? "stale" : "offline";
    }
  }

  private static final long PERSIST_EVERY_MS = 60_000;

  private final NodeStore store;
  private final Clock clock;
  private final Duration offlineAfter;
  private final Map<String, State> nodes = new ConcurrentHashMap<>();
  private final List<Consumer<NodeView>> statusListeners = new CopyOnWriteArrayList<>();
  /** Nodes changed since the last flush: true when the whole record changed, false for last-seen only. */
  private final Map<String, Boolean> dirty = new ConcurrentHashMap<>();

  private static final class State {
    volatile NodeRecord record;
    volatile long lastSeen;
    volatile long lastPersisted;
    volatile int streams;
    volatile boolean online;
    /** The configuration version the agent last reported (Hello, Heartbeat). */
    volatile long configVersion;

    State(NodeRecord record) {
      this.record = record;
      this.lastSeen = record.lastSeen();
      this.lastPersisted = record.lastSeen();
    }
  }

  public NodeRegistry(NodeStore store, Clock clock, Duration offlineAfter) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.offlineAfter = requireNonNull(offlineAfter, "offlineAfter");
    for (NodeRecord r : store.all()) {
      nodes.put(r.id(), new State(r));
    }
  }

  /** True when {@code id} is an agent node (not a VM or ESXi host the vSphere collector reports). */
  public boolean isAgent(String id) {
    State s = nodes.get(id);
    return s != null && NodeStore.KIND_AGENT.equals(s.record.kind());
  }

  /** Called for every status change (online/offline). */
  public void onStatusChange(Consumer<NodeView> listener) {
    statusListeners.add(requireNonNull(listener, "listener"));
  }

  /** An agent said Hello: record it (stored at the next {@link #flush}) and mark it online. */
  public void connected(String id, String hostname, String os, String agentVersion,
      Map<String, String> labels) {
    long now = clock.millis();
    State existing = nodes.get(id);
    long firstSeen = existing == null ? now : existing.record.firstSeen();
    NodeRecord r = new NodeRecord(id, hostname, os, agentVersion, Map.copyOf(labels), firstSeen, now);
    State s = nodes.computeIfAbsent(id, k -> new State(r));
    NodeView changed;
    synchronized (s) {
      s.record = r;
      s.lastSeen = now;
      s.lastPersisted = now;
      s.streams++;
      changed = setOnline(s, true);
    }
    // Marked after the change: a flush that takes the mark reads the new record (see flush).
    dirty.put(id, true);
    fire(changed);
  }

  /** The node was heard from (batch or heartbeat). */
  public void seen(String id) {
    State s = nodes.get(id);
    if (s == null) {
      return;
    }
    long now = clock.millis();
    s.lastSeen = now;
    if (now - s.lastPersisted >= PERSIST_EVERY_MS) {
      s.lastPersisted = now;
      dirty.putIfAbsent(id, false);
    }
    if (!s.online) {
      NodeView changed;
      synchronized (s) {
        changed = s.streams > 0 ? setOnline(s, true) : null;
      }
      fire(changed);
    }
  }

  /** The node's agent reported the configuration version it runs. */
  public void configVersion(String id, long version) {
    State s = nodes.get(id);
    if (s != null) {
      s.configVersion = version;
    }
  }

  /** The node's stream ended. */
  public void disconnected(String id) {
    State s = nodes.get(id);
    if (s == null) {
      return;
    }
    NodeView changed = null;
    synchronized (s) {
      s.streams = Math.max(0, s.streams - 1);
      if (s.streams == 0) {
        changed = setOnline(s, false);
      }
    }
    dirty.putIfAbsent(id, false);
    fire(changed);
  }

  /**
   * Records a node another collector describes (a vSphere VM or ESXi host): no stream, its
   * online state is what that collector says (powered on, connected), and the sweep leaves it.
   */
  public void upsertCollected(String id, String kind, String name, String os, String version,
      Map<String, String> labels, boolean online) {
    long now = clock.millis();
    State existing = nodes.get(id);
    long firstSeen = existing == null ? now : existing.record.firstSeen();
    NodeRecord r = new NodeRecord(id, kind, name, os, version, Map.copyOf(labels), firstSeen, now);
    boolean persist = existing == null || now - existing.lastPersisted >= PERSIST_EVERY_MS
        || !r.equals(new NodeRecord(id, existing.record.kind(), existing.record.hostname(), existing.record.os(),
            existing.record.agentVersion(), existing.record.labels(), firstSeen, now));
    State s = nodes.computeIfAbsent(id, k -> new State(r));
    NodeView changed;
    synchronized (s) {
      s.record = r;
      s.lastSeen = now;
      if (persist) {
        s.lastPersisted = now;
      }
      changed = setOnline(s, online);
    }
    if (persist) {
      dirty.put(id, true);
    }
    fire(changed);
  }

  /** Marks agent nodes not heard from within offlineAfter as offline; run periodically. */
  public void sweep() {
    long cutoff = clock.millis() - offlineAfter.toMillis();
    for (State s : nodes.values()) {
      if (!NodeStore.KIND_AGENT.equals(s.record.kind())) {
        continue; // collected nodes are online or not as their collector says
      }
      NodeView changed = null;
      synchronized (s) {
        if (s.online && s.lastSeen < cutoff) {
          changed = setOnline(s, false);
        }
      }
      fire(changed);
    }
  }

  /**
   * Decommissions a node: forgets it and deletes its registry row. Refused (false) while its
   * agent is connected; unknown ids are false too.
   */
  public synchronized boolean remove(String id) {
    State s = nodes.get(id);
    if (s == null || s.streams > 0) {
      return false;
    }
    store.delete(id); // the store first, so a failure leaves the node listed
    nodes.remove(id);
    dirty.remove(id);
    return true;
  }

  /**
   * Writes the changes since the last flush in one transaction (see the class comment); on
   * failure they stay pending for the next flush and the failure is thrown. Serialized with
   * {@link #remove}, so a decommissioned node's row is not written back.
   */
  public synchronized void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    Map<String, Boolean> batch = new java.util.HashMap<>(dirty);
    // Each change updates the node's state first and marks it after, and a mark is taken off only
    // if it is still the one copied (a last-seen mark turned into a whole-record one stays), before
    // the state is read below: a change is either read by this flush or left marked for the next.
    // (Marking first, or taking a newer mark off, lost a reconnect's new record:
    // NodeRegistryConcurrencyTest failed in CI on one node of 500.)
    batch.forEach((id, whole) -> dirty.remove(id, whole));
    List<NodeRecord> records = new ArrayList<>();
    Map<String, Long> lastSeen = new java.util.HashMap<>();
    batch.forEach((id, whole) -> {
      State s = nodes.get(id);
      if (s == null) {
        return; // removed meanwhile
      }
      NodeRecord r = s.record;
      if (whole) {
        records.add(new NodeRecord(r.id(), r.kind(), r.hostname(), r.os(), r.agentVersion(), r.labels(),
            r.firstSeen(), s.lastSeen));
      } else {
        lastSeen.put(id, s.lastSeen);
      }
    });
    try {
      store.save(records, lastSeen);
    } catch (RuntimeException e) {
      batch.forEach((id, whole) -> dirty.merge(id, whole, Boolean::logicalOr));
      throw e;
    }
  }

  /** Changes not yet written by {@link #flush}. */
  int pending() {
    return dirty.size();
  }

  /**
   * Forgets agent nodes with no stream that have not been heard from for {@code after} (nodes
   * that never come back do not pile up); returns their ids.
   */
  public List<String> expire(Duration after) {
    return expire(after, id -> false);
  }

  /** As {@link #expire(Duration)}, keeping the nodes {@code keep} names (their streams are held elsewhere). */
  public List<String> expire(Duration after, java.util.function.Predicate<String> keep) {
    long cutoff = clock.millis() - after.toMillis();
    List<String> gone = new ArrayList<>();
    for (State s : nodes.values()) {
      if (NodeStore.KIND_AGENT.equals(s.record.kind()) && s.streams == 0 && s.lastSeen < cutoff
          && !keep.test(s.record.id()) && remove(s.record.id())) {
        gone.add(s.record.id());
      }
    }
    return gone;
  }

  /** The node's current view, or empty when unknown. */
  public java.util.Optional<NodeView> find(String id) {
    State s = nodes.get(id);
    return s == null ? java.util.Optional.empty() : java.util.Optional.of(view(s));
  }

  public List<NodeView> list() {
    List<NodeView> out = new ArrayList<>();
    nodes.values().forEach(s -> out.add(view(s)));
    out.sort(Comparator.comparing(NodeView::id));
    return out;
  }

  /** Call with s locked; returns the view to announce, or null when nothing changed. */
  private static NodeView setOnline(State s, boolean online) {
    if (s.online == online) {
      return null;
    }
    s.online = online;
    return view(s);
  }

  private void fire(NodeView changed) {
    if (changed != null) {
      statusListeners.forEach(l -> l.accept(changed));
    }
  }

  private static NodeView view(State s) {
    NodeRecord r = s.record;
    return new NodeView(r.id(), r.kind(), r.hostname(), r.os(), r.agentVersion(), r.labels(), s.online,
        s.lastSeen, s.configVersion, s.streams > 0);
  }
}
