package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Ack;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.Notification;
import syslens.alerting.notify.NotifyConfig.Receiver;
import syslens.alerting.notify.NotifyConfig.Route;
import syslens.storage.Labels;

/**
 * Alertmanager's dispatcher on one thread: alerts are merged by fingerprint, routed down the tree
 * into aggregation groups (route + group labels), and each group flushes after group_wait, then
 * every group_interval; a flush drops silenced, inhibited, time-muted and maintenance-muted
 * alerts, asks the {@link NotificationLog} whether the receiver must hear of it (new alerts,
 * resolutions, or repeat_interval passed), persists the notification and hands it over.
 * Unacknowledged firing alerts past a route's escalate_after go to its escalate_to receiver.
 * Driven by {@link #tick()} with an injected clock: nothing here sleeps.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** An aggregation group. */
  static final class Group {
    final Route route;
    final Labels groupLabels;
    final String key;
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    Instant next;
    boolean flushed;
    /** Notification-log keys per integration of the route's receiver (a SHA-256 each; computed once). */
    String[] logKeys;

    Group(Route route, Labels groupLabels, Instant next) {
      this.route = route;
      this.groupLabels = groupLabels;
      this.key = route.key() + ":" + groupLabels;
      this.next = next;
    }
  }

  /** What the API shows for an alert: why it is muted, who took it. */
  record Status(Alert alert, String fingerprint, List<String> silencedBy, boolean inhibited, String maintenance,
      Ack ack, List<String> receivers) {}

  private final Clock clock;
  private final NotifyStore store;
  private final NotificationLog nflog;
  private final Silences silences;
  private final Consumer<Notification> deliver;
  private final java.util.function.Function<String, Notification> pending;
  private final NotifyWriter writer;
  private long lastId;
  private Instant nextGc = Instant.MIN;
  static final java.time.Duration GC_INTERVAL = java.time.Duration.ofSeconds(1);
  private final Map<String, Alert> alerts = new HashMap<>();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, List<Route>> routesOf = new HashMap<>();
  private final Map<String, Ack> acks = new ConcurrentHashMap<>();
  private final Map<String, Alert> dirty = new HashMap<>();
  private final Map<String, Instant> persistedEndsAt = new HashMap<>();
  private final Set<String> deleted = new HashSet<>();
  /** Read by delivery workers without the dispatcher's lock (a tick may hold it for a while). */
  private volatile NotifyConfig config;
  /** Notifications decided in this tick, queued in one transaction at its end. */
  private final List<Notification> outbox = new ArrayList<>();
  /** Notification-log entries decided in this tick without a delivery (all resolved), stored at its end. */
  private final List<Model.LogEntry> logWrites = new ArrayList<>();
  private Inhibitor inhibitor;
  private long queued;
  /** The earliest time a group is due to flush, as of the last tick ({@link Instant#MAX}: none). */
  private volatile Instant nextDue = Instant.MAX;

  Dispatcher(NotifyConfig config, Clock clock, NotifyStore store, NotificationLog nflog, Silences silences,
      NotifyWriter writer, Consumer<Notification> deliver, java.util.function.Function<String, Notification> pending) {
    this.config = requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
    this.store = requireNonNull(store, "store");
    this.nflog = requireNonNull(nflog, "nflog");
    this.silences = requireNonNull(silences, "silences");
    this.deliver = requireNonNull(deliver, "deliver");
    this.pending = requireNonNull(pending, "pending");
    this.writer = requireNonNull(writer, "writer");
    this.lastId = store.lastNotificationId();
    for (Ack a : store.acks()) {
      acks.put(a.fingerprint(), a);
    }
    Instant now = clock.instant();
    for (Alert a : store.alerts(now)) {
      persistedEndsAt.put(Model.fingerprint(a.labels()), a.endsAt());
      route(Model.fingerprint(a.labels()), a, now);
    }
  }

  NotifyConfig config() {
    return config;
  }

  /** Switches to {@code c}: groups are rebuilt (the notification log keeps what was sent). */
  synchronized void apply(NotifyConfig c) {
    config = requireNonNull(c, "c");
    groups.clear();
    routesOf.clear();
    Instant now = clock.instant();
    for (Map.Entry<String, Alert> e : alerts.entrySet()) {
      route(e.getKey(), e.getValue(), now);
    }
    nextDue = now;
  }

  /**
   * When the next group flush is due, as of the last tick: the dispatcher thread sleeps until
   * then (or until alerts arrive) instead of polling, so a group_interval is kept to the
   * millisecond rather than to the next poll.
   */
  Instant nextDue() {
    return nextDue;
  }

  /** Merges incoming alerts, flushes due groups, escalates, persists; one step of the dispatcher. */
  synchronized void tick(List<Alert> incoming) {
    Instant now = clock.instant();
    for (Alert a : incoming) {
      ingest(a, now);
    }
    inhibitor = null;
    Instant due = Instant.MAX;
    for (Group g : new ArrayList<>(groups.values())) {
      if (!g.next.isAfter(now)) {
        flush(g, now);
      }
      if (groups.get(g.key) == g && g.next.isBefore(due)) {
        due = g.next;
      }
    }
    nextDue = due;
    escalate(now);
    if (!now.isBefore(nextGc)) { // a walk over every alert and group: once a second is enough
      gc(now);
      nextGc = now.plus(GC_INTERVAL);
    }
    if (!outbox.isEmpty()) {
      // The queue rows go to the writer before the notifications go to their senders, so a
      // delivery's removal from the queue is always written after the row it removes.
      List<Notification> ns = new ArrayList<>(outbox.size());
      for (Notification n : outbox) {
        ns.add(n.withId(++lastId));
      }
      outbox.clear();
      writer.write(new NotifyWriter.Enqueue(ns, now));
      for (Notification n : ns) {
        deliver.accept(n);
        queued++;
      }
    }
    if (!logWrites.isEmpty()) {
      writer.write(new NotifyWriter.Logs(List.copyOf(logWrites)));
      logWrites.clear();
    }
    if (!dirty.isEmpty() || !deleted.isEmpty()) {
      writer.write(new NotifyWriter.Alerts(new HashMap<>(dirty), new HashSet<>(deleted), now));
    }
    dirty.forEach((fp, a) -> persistedEndsAt.put(fp, a.endsAt()));
    deleted.forEach(persistedEndsAt::remove);
    dirty.clear();
    deleted.clear();
  }

  private void ingest(Alert a, Instant now) {
    String fp = Model.fingerprint(a.labels());
    Alert old = alerts.get(fp);
    if (old != null && !a.startsAt().isAfter(old.endsAt()) && old.startsAt().isBefore(a.startsAt())) {
      a = new Alert(a.labels(), a.annotations(), old.startsAt(), a.endsAt(), a.generatorUrl(), a.value());
    }
    if (old != null && !old.firingAt(now) && a.firingAt(now) && acks.remove(fp) != null) {
      store.deleteAck(fp); // a new firing episode needs a new acknowledgement
    }
    alerts.put(fp, a);
    if (mustPersist(fp, old, a, now)) {
      dirty.put(fp, a);
    }
    deleted.remove(fp);
    route(fp, a, now);
  }

  /**
   * Rules re-send every firing alert each evaluation with {@code endsAt} pushed forward; storing
   * each of those would write every alert every few seconds. Write when something a restart needs
   * changed, or when the stored {@code endsAt} is less than half as far ahead as the new one.
   */
  private boolean mustPersist(String fp, Alert old, Alert a, Instant now) {
    Instant stored = persistedEndsAt.get(fp);
    if (old == null || stored == null || !old.startsAt().equals(a.startsAt())
        || !old.annotations().equals(a.annotations()) || !a.firingAt(now) || !old.firingAt(now)) {
      return true;
    }
    long storedAhead = stored.toEpochMilli() - now.toEpochMilli();
    long newAhead = a.endsAt().toEpochMilli() - now.toEpochMilli();
    return storedAhead * 2 < newAhead;
  }

  private void route(String fp, Alert a, Instant now) {
    alerts.put(fp, a);
    List<Route> rs = routesOf.computeIfAbsent(fp, k -> config.route().match(a.labels()));
    for (Route r : rs) {
      Labels gl = r.groupLabels(a.labels());
      String key = r.key() + ":" + gl;
      Group g = groups.computeIfAbsent(key, k -> new Group(r, gl, now.plus(r.groupWait)));
      g.alerts.put(fp, a);
      // Alertmanager: an alert older than group_wait is reported at once by a group not yet flushed.
      if (!g.flushed && a.startsAt().plus(r.groupWait).isBefore(now)) {
        g.next = now;
      }
    }
  }

  private Inhibitor inhibitor(Instant now) {
    if (inhibitor == null && config.inhibitRules().isEmpty()) {
      inhibitor = new Inhibitor(List.of(), Map.of());
    } else if (inhibitor == null) {
      Map<String, Labels> firing = new HashMap<>();
      alerts.forEach((fp, a) -> {
        if (a.firingAt(now)) { // silenced alerts still inhibit, as in Alertmanager
          firing.put(fp, a.labels());
        }
      });
      inhibitor = new Inhibitor(config.inhibitRules(), firing);
    }
    return inhibitor;
  }

  private boolean muted(String fp, Alert a, Instant now) {
    return !silences.mutedBy(a.labels(), now).isEmpty() || inhibitor(now).mutes(fp, a.labels())
        || config.maintenance(a.labels(), now) != null;
  }

  private boolean timeMuted(Route r, Instant now) {
    for (String n : r.muteTimeIntervals) {
      if (config.inInterval(n, now)) {
        return true;
      }
    }
    if (r.activeTimeIntervals.isEmpty()) {
      return false;
    }
    for (String n : r.activeTimeIntervals) {
      if (config.inInterval(n, now)) {
        return false;
      }
    }
    return true;
  }

  private void flush(Group g, Instant now) {
    g.flushed = true;
    g.next = now.plus(g.route.groupInterval);
    Map<String, Alert> snapshot = new LinkedHashMap<>(g.alerts);
    if (!timeMuted(g.route, now)) {
      List<Entry> entries = new ArrayList<>();
      for (Map.Entry<String, Alert> e : snapshot.entrySet()) {
        if (!muted(e.getKey(), e.getValue(), now)) {
          entries.add(new Entry(e.getKey(), e.getValue(), e.getValue().firingAt(now)));
        }
      }
      notify(config.receivers().get(g.route.receiver), g, g.key, g.groupLabels, entries, g.route.repeatInterval, false,
          now);
    }
    // Resolved alerts that were part of this flush leave the group (unless they changed meanwhile).
    snapshot.forEach((fp, a) -> {
      if (!a.firingAt(now) && g.alerts.get(fp) == a) {
        g.alerts.remove(fp);
      }
    });
    if (g.alerts.isEmpty()) {
      groups.remove(g.key);
    }
  }

  private void notify(Receiver r, Group g, String groupKey, Labels groupLabels, List<Entry> entries, Duration repeat,
      boolean escalation, Instant now) {
    if (!r.scope().isEmpty()) { // a team's receiver is told only of its team's alerts, whatever the route
      entries = entries.stream().filter(e -> r.covers(e.alert().labels())).toList();
      if (entries.isEmpty()) {
        return;
      }
    }
    Set<String> firing = new LinkedHashSet<>();
    Set<String> resolved = new LinkedHashSet<>();
    for (Entry e : entries) {
      (e.firing() ? firing : resolved).add(e.fingerprint());
    }
    for (int i = 0; i < r.integrations().size(); i++) {
      Integration in = r.integrations().get(i);
      String key;
      if (g == null) {
        key = NotificationLog.key(groupKey, r.name(), i);
      } else {
        if (g.logKeys == null || g.logKeys.length != r.integrations().size()) {
          g.logKeys = new String[r.integrations().size()];
        }
        key = g.logKeys[i] != null ? g.logKeys[i] : (g.logKeys[i] = NotificationLog.key(groupKey, r.name(), i));
      }
      if (!NotificationLog.needsUpdate(nflog.get(key), firing, resolved, in.sendResolved(), repeat, now)
          || sameNews(pending.apply(key), firing, resolved)) {
        continue; // told already, or a notification saying the same is still on its way (e.g. resumed after a restart)
      }
      Notification n = new Notification(0, key, r.name(), i, groupKey, groupLabels.toMap(), entries,
          repeat.toMillis(), escalation);
      if (!in.sendResolved() && firing.isEmpty()) {
        // Nothing to send; remember that all resolved (Alertmanager logs it too), stored with the tick.
        logWrites.add(nflog.delivered(n, now));
        continue;
      }
      outbox.add(n);
    }
  }

  private static boolean sameNews(Notification queued, Set<String> firing, Set<String> resolved) {
    if (queued == null || queued.alerts().size() != firing.size() + resolved.size()) {
      return false;
    }
    for (Entry e : queued.alerts()) {
      if (!(e.firing() ? firing : resolved).contains(e.fingerprint())) {
        return false;
      }
    }
    return true;
  }

  private void escalate(Instant now) {
    if (!config.route().escalates()) {
      return; // nothing to look for: a walk over every alert each tick would be wasted
    }
    for (Map.Entry<String, Alert> e : alerts.entrySet()) {
      Alert a = e.getValue();
      if (!a.firingAt(now) || acks.containsKey(e.getKey())) {
        continue;
      }
      for (Route r : routesOf.getOrDefault(e.getKey(), List.of())) {
        if (r.escalateAfter == null || a.startsAt().plus(r.escalateAfter).isAfter(now) || muted(e.getKey(), a, now)) {
          continue;
        }
        notify(config.receivers().get(r.escalateTo), null, "escalation:" + r.key() + ":" + e.getKey(), a.labels(),
            List.of(new Entry(e.getKey(), a, true)), r.repeatInterval, true, now);
      }
    }
  }

  private void gc(Instant now) {
    Set<String> held = new HashSet<>();
    for (Group g : groups.values()) {
      held.addAll(g.alerts.keySet());
    }
    alerts.entrySet().removeIf(e -> {
      if (e.getValue().firingAt(now) || held.contains(e.getKey())) {
        return false;
      }
      deleted.add(e.getKey());
      dirty.remove(e.getKey());
      routesOf.remove(e.getKey());
      if (acks.remove(e.getKey()) != null) {
        store.deleteAck(e.getKey());
      }
      return true;
    });
    nflog.gc(now);
  }

  // ---- acknowledgements and status ----

  /** Reads the acknowledgements again (made on another instance sharing the database). */
  synchronized void reloadAcks() {
    Map<String, Ack> fresh = new HashMap<>();
    for (Ack a : store.acks()) {
      fresh.put(a.fingerprint(), a);
    }
    acks.keySet().retainAll(fresh.keySet());
    acks.putAll(fresh);
  }

  /** Acknowledges a firing alert; false when no such alert is known. */
  synchronized boolean ack(String fp, String by, String comment) {
    if (!alerts.containsKey(fp)) {
      return false;
    }
    Ack a = new Ack(fp, by, comment, clock.instant());
    store.putAck(a);
    acks.put(fp, a);
    return true;
  }

  synchronized boolean unack(String fp) {
    if (acks.remove(fp) == null) {
      return false;
    }
    store.deleteAck(fp);
    return true;
  }

  /**
   * Reads the alerts again as the notifying instance stored them (this instance stands by: it
   * receives no alerts, and {@link #status} would otherwise show those of its start). Groups are
   * rebuilt for the receivers column; a standby never flushes them.
   */
  synchronized void reloadAlerts() {
    Instant now = clock.instant();
    List<Alert> stored = store.alerts(now, false);
    alerts.clear();
    groups.clear();
    routesOf.clear();
    for (Alert a : stored) {
      route(Model.fingerprint(a.labels()), a, now);
    }
  }

  synchronized List<Status> status() {
    Instant now = clock.instant();
    inhibitor = null;
    List<Status> out = new ArrayList<>();
    alerts.forEach((fp, a) -> out.add(new Status(a, fp, silences.mutedBy(a.labels(), now),
        inhibitor(now).mutes(fp, a.labels()), config.maintenance(a.labels(), now), acks.get(fp),
        routesOf.getOrDefault(fp, List.of()).stream().map(r -> r.receiver).distinct().toList())));
    inhibitor = null;
    return out;
  }

  /** Notifications handed to delivery since start. */
  synchronized long queued() {
    return queued;
  }

  synchronized int groupCount() {
    return groups.size();
  }
}
