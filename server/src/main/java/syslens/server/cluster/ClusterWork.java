package syslens.server.cluster;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.AlertSink;
import syslens.alerting.notify.Notifier;
import syslens.alerting.rules.RuleManager;
import syslens.alerting.rules.RuleService;
import syslens.server.live.LiveSample;
import syslens.vsphere.VCenterSpec;
import syslens.vsphere.VsphereService;

/**
 * Shares the exclusive work of several server instances on one PostgreSQL, every second on its
 * own thread ({@link Membership} heartbeats, leases):
 * <ul>
 *   <li>alert rule groups: each evaluated by the live {@code alerting} instance rendezvous
 *       hashing picks ({@link #ownsRuleGroup}); the new owner reads the group's alert state;</li>
 *   <li>notification: one {@code alerting} instance at a time holds lease {@value #NOTIFIER} and
 *       notifies; the others relay their alerts to it ({@link AlertRelay}); a new holder reads
 *       the notification state and asks every instance to send its alerts again;</li>
 *   <li>vCenters: each polled by the instance holding lease {@code vcenter:<id>}, first offered
 *       to the live {@code collector} instance rendezvous hashing picks, to any after
 *       {@link #FREE_GRACE_MS}; a holder keeps it until it dies (no move on a join);</li>
 *   <li>the live feed ({@link LiveRelay}), rule group and notification changes (topics
 *       {@value #RULES_TOPIC}, {@value #NOTIFY_TOPIC}: the others read them again).</li>
 * </ul>
 * Taking over after a SIGKILL takes up to a second for rule groups (the killed instance's
 * PostgreSQL session ends with it; {@link Membership#MEMBER_TIMEOUT} when it was only cut off)
 * and {@link Membership#LEASE_TTL} plus up to a second for notification and vCenters (leases
 * stay on the timeout: two notifiers or pollers at once would cost more than 5 s of waiting).
 */
public final class ClusterWork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterWork.class);
  public static final String ALERTING = "alerting";
  public static final String COLLECTOR = "collector";
  static final String NOTIFIER = "notifier";
  static final String VCENTER = "vcenter:";
  static final String RULES_TOPIC = "rules";
  static final String NOTIFY_TOPIC = "notify";
  static final String RESEND_TOPIC = "resend";
  /** How long a vCenter's lease must have been free before an instance hashing does not pick takes it. */
  static final long FREE_GRACE_MS = 2_000;

  private final Membership membership;
  private final ClusterBus bus;
  private final ScheduledExecutorService timer;
  private final Map<String, Long> seenFree = new HashMap<>();
  private LiveRelay live;
  private Notifier notifier;
  private RuleManager rules;
  private VsphereService vsphere;

  private ClusterWork(Membership membership, ClusterBus bus) {
    this.membership = requireNonNull(membership, "membership");
    this.bus = requireNonNull(bus, "bus");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "syslens-cluster-work");
      t.setDaemon(true);
      return t;
    });
  }

  /** Work shared over {@code membership}, changes told over {@code bus}; wire, then {@link #start}. */
  public static ClusterWork create(Membership membership, ClusterBus bus) {
    return new ClusterWork(membership, bus);
  }

  public Membership membership() {
    return membership;
  }

  /** The live feed: {@code local} publishes to this instance's browsers; the returned consumer also relays. */
  public Consumer<LiveSample> liveFeed(Consumer<LiveSample> local, IntSupplier localClients) {
    live = new LiveRelay(bus, local, localClients, System::currentTimeMillis);
    return live::publish;
  }

  /**
   * {@code notifier} built as a standby: changes made here are told, changes told are read again;
   * with {@code notifies} (the alerting role) it competes for lease {@value #NOTIFIER}. Returns
   * the sink the rule manager hands its alerts to. Call {@link #rules} once the manager exists.
   */
  public AlertSink notifier(Notifier notifier, boolean notifies) {
    requireNonNull(notifier, "notifier");
    if (notifies) {
      this.notifier = notifier;
    }
    notifier.onChange(() -> bus.publish(NOTIFY_TOPIC, ""));
    bus.subscribe(NOTIFY_TOPIC, (from, body) -> notifier.reloadShared());
    return new AlertRelay(bus, notifier);
  }

  /** The alerting role's rules: changes made here are told, changes told are read again. */
  public void rules(RuleManager manager, RuleService service) {
    this.rules = requireNonNull(manager, "manager");
    service.onChange(() -> bus.publish(RULES_TOPIC, ""));
    bus.subscribe(RULES_TOPIC, (from, body) -> {
      try {
        service.reload();
      } catch (IllegalArgumentException e) {
        log.error("rule groups changed on instance {} do not compile here: {}", from, e.getMessage());
      }
    });
    bus.subscribe(RESEND_TOPIC, (from, body) -> manager.resendAll());
    bus.onResync(service::reload);
  }

  /** Whether this instance evaluates rule group {@code group} now (asked by the rule manager each round). */
  public boolean ownsRuleGroup(String group) {
    return membership.owns(ALERTING, group);
  }

  /** The collector role: vCenters polled here are those whose lease this instance holds. */
  public void vsphere(VsphereService service) {
    this.vsphere = requireNonNull(service, "service");
  }

  /** Whether this instance polls vCenter {@code id} now. */
  public boolean ownsVcenter(String id) {
    return membership.holds(VCENTER + id);
  }

  /** Starts the heartbeat (the first one runs now, so ownership is known before work starts). */
  public void start() {
    step();
    timer.scheduleWithFixedDelay(this::step, Membership.HEARTBEAT.toMillis(), Membership.HEARTBEAT.toMillis(),
        TimeUnit.MILLISECONDS);
    if (live != null) {
      timer.scheduleWithFixedDelay(this::flushLive, LiveRelay.FLUSH_EVERY_MS, LiveRelay.FLUSH_EVERY_MS,
          TimeUnit.MILLISECONDS);
    }
  }

  private void flushLive() {
    try {
      live.flush();
    } catch (RuntimeException e) {
      log.warn("live feed relay: {}", e.toString());
    }
  }

  void step() {
    try {
      membership.heartbeat();
      if (notifier != null) {
        notification();
      }
      if (vsphere != null) {
        vcenters();
      }
    } catch (RuntimeException e) {
      log.warn("cluster work step failed: {}", e.toString(), e);
    }
  }

  private void notification() {
    boolean mine = membership.healthy() && membership.acquire(NOTIFIER);
    if (mine && !notifier.active()) {
      notifier.activate();
      if (rules != null) {
        rules.resendAll();
      }
      bus.publish(RESEND_TOPIC, ""); // alerts relayed while no instance notified were lost: send them again
    } else if (!mine && notifier.active()) {
      notifier.deactivate();
    }
  }

  private void vcenters() {
    Map<String, Membership.Lease> leases = membership.leases(VCENTER);
    Set<String> enabled = new HashSet<>();
    if (leases != null && membership.healthy()) {
      long now = System.currentTimeMillis();
      for (VCenterSpec s : vsphere.list()) {
        if (!s.enabled()) {
          continue;
        }
        String name = VCENTER + s.id();
        enabled.add(name);
        Membership.Lease l = leases.get(name);
        if (membership.holds(name) || (l != null && l.owner().equals(membership.instanceId()) && !l.expired())) {
          membership.acquire(name); // renew
          seenFree.remove(name);
          continue;
        }
        if (l != null && !l.expired()) {
          seenFree.remove(name);
          continue;
        }
        long since = seenFree.computeIfAbsent(name, k -> now);
        boolean picked = membership.instanceId().equals(Membership.owner(s.id(), membership.live(COLLECTOR)));
        if ((picked || now - since >= FREE_GRACE_MS) && membership.acquire(name)) {
          seenFree.remove(name);
          log.info("vCenter {}: polled by this instance from now on", s.name());
        }
      }
      seenFree.keySet().retainAll(enabled);
      for (String held : membership.held()) {
        if (held.startsWith(VCENTER) && !enabled.contains(held)) {
          membership.release(held); // deleted or disabled
        }
      }
    }
    vsphere.reconcile();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (String held : membership.held()) {
      membership.release(held); // a clean stop hands work over at once rather than after the TTL
    }
    membership.leave();
  }
}
