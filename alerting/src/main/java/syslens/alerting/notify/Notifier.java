package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.Alert;
import syslens.alerting.AlertSink;
import syslens.alerting.AlertingSchema;
import syslens.alerting.notify.Model.Notification;
import syslens.alerting.notify.NotifyConfig.Receiver;

/**
 * The notification pipeline behind {@link AlertSink}: {@link #send} only queues (bounded) and
 * returns; a dispatcher thread steps when alerts arrive, when a group is due to flush, and at
 * least every {@code tickInterval} (routing, grouping, silences, inhibition, maintenance windows,
 * escalation), receivers are served by their own workers, and
 * everything that must survive a restart (configuration, alerts, notification log, unconfirmed
 * notifications, silences, acknowledgements) is in the metadata database.
 */
public final class Notifier implements AlertSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  /** A configuration that routes everything to a receiver without integrations. */
  public static final String DEFAULT_CONFIG = "route:\n  receiver: default\nreceivers:\n- name: default\n";

  private final Clock clock;
  private final NotifyStore store;
  private final Silences silences;
  /** Rebuilt from the database when this instance becomes the one that notifies ({@link #activate}). */
  private volatile Dispatcher dispatcher;
  private final NotificationLog nflog;
  private final String initialConfig;
  /** False on a standby instance: alerts are not dispatched and nothing is sent until {@link #activate}. */
  private volatile boolean active;
  private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Deliveries deliveries;
  private final Templates templates;
  private final Duration tickInterval;
  private final int maxPending;
  private final ConcurrentLinkedQueue<List<Alert>> incoming = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread ticker;
  /** Released by {@link #send} and config changes: the dispatcher thread steps now. */
  private final java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
  private volatile boolean closed;
  /** Least time between two steps woken by arriving alerts (rule groups report one by one). */
  static final long MIN_STEP_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  static final Duration HOUSEKEEPING = Duration.ofMinutes(1);
  /** How long the delivery log keeps attempts. */
  static final Duration DELIVERY_LOG_RETENTION = Duration.ofDays(30);
  private java.time.Instant nextHousekeeping;
  private final SecretCipher cipher;
  private volatile Map<String, String> secrets = Map.of();
  private volatile String shownText;
  private volatile String problem;
  private volatile com.fasterxml.jackson.databind.JsonNode global = com.fasterxml.jackson.databind.node.MissingNode
      .getInstance();

  private Notifier(Builder b) {
    this.clock = b.clock;
    this.tickInterval = b.tickInterval;
    this.maxPending = b.maxPendingAlerts;
    this.nextHousekeeping = b.clock.instant().plus(HOUSEKEEPING);
    AlertingSchema.migrate(b.db);
    this.store = new NotifyStore(b.db);
    this.cipher = b.cipher;
    this.initialConfig = b.initialConfig;
    this.active = !b.standby;
    NotifyConfig config = loadConfig(b.initialConfig);
    NotificationLog nflog = this.nflog = new NotificationLog(store);
    this.silences = new Silences(store, clock);
    this.templates = new Templates();
    UserLanguage users = b.userLanguage;
    this.deliveries = new Deliveries(clock, store, nflog, new Senders(clock), templates, () -> dispatcher.config(),
        r -> language(r, users), b.retry, b.writeLinger.toNanos());
    this.dispatcher = newDispatcher(config);
    this.ticker = new Thread(this::runDispatcher, "syslens-notify-dispatcher");
    ticker.setDaemon(true);
  }

  /**
   * The stored configuration with its secrets opened, or the initial one; a configuration stored
   * in the clear (before secrets were sealed) is sealed now. When it cannot be used (invalid, or
   * its secrets were sealed with another master key) the default applies, the reason is logged
   * and shown with the config, and the stored text stays visible so it can be saved again.
   */
  private NotifyConfig loadConfig(String initial) {
    Optional<NotifyStore.StoredConfig> stored = store.config();
    try {
      if (stored.isEmpty()) {
        return use(ConfigSecrets.split(initial, Map.of()));
      }
      NotifyStore.StoredConfig row = stored.get();
      if (row.secrets() == null) {
        shownText = null; // still in the clear: never shown as stored
        ConfigSecrets.Split s = ConfigSecrets.split(row.body(), Map.of());
        NotifyConfig c = use(s);
        store.resealConfig(s.masked(), seal(s.secrets()));
        log.info("sealed {} secret fields of the notification config stored in the clear", s.secrets().size());
        return c;
      }
      shownText = row.body(); // masked
      Map<String, String> opened = open(row.secrets());
      ConfigSecrets.Split s = ConfigSecrets.split(row.body(), opened);
      NotifyConfig c = use(s);
      if (cipher != null && row.secrets().startsWith(ConfigSecrets.UNSEALED)) {
        store.resealConfig(s.masked(), seal(s.secrets()));
        log.info("sealed {} secret fields of the notification config with the master key", s.secrets().size());
      }
      return c;
    } catch (ConfigException e) {
      problem = "the stored configuration is invalid (" + e.getMessage() + "); the default applies until it is replaced";
    } catch (IllegalArgumentException e) {
      problem = "the stored configuration's secrets cannot be opened (" + e.getMessage() + "); the default (no "
          + "deliveries) applies until the configuration is saved again with its secrets";
    }
    log.error("notification config: {}", problem);
    NotifyConfig c = ConfigParser.parse(DEFAULT_CONFIG);
    if (shownText == null) {
      shownText = c.source();
    }
    return c;
  }

  private NotifyConfig use(ConfigSecrets.Split s) {
    NotifyConfig c = ConfigParser.parse(s.tree(), s.masked());
    secrets = s.secrets();
    shownText = s.masked();
    global = s.tree().path("global");
    return c;
  }

  private String seal(Map<String, String> values) {
    return ConfigSecrets.seal(values, cipher);
  }

  private Map<String, String> open(String stored) {
    return ConfigSecrets.open(stored, cipher);
  }

  static String language(Receiver r, UserLanguage users) {
    if (r.language() != null) {
      return r.language();
    }
    if (r.user() != null) {
      return users.languageOf(r.user()).filter(ConfigParser.LANGUAGES::contains).orElse("en");
    }
    return "en";
  }

  public static Builder builder(DataSource db) {
    return new Builder(db);
  }

  private Dispatcher newDispatcher(NotifyConfig config) {
    return new Dispatcher(config, clock, store, nflog, silences, deliveries.writer(), deliveries::submit,
        deliveries::pending);
  }

  /**
   * Re-sends notifications not confirmed before the last stop, then ticks in the background. A
   * standby (see {@link Builder#standby}) only starts its thread: it sends nothing until {@link #activate}.
   */
  public Notifier start() {
    if (active) {
      resumePending();
    }
    ticker.start();
    return this;
  }

  /**
   * Makes this the instance that notifies (several alerting instances share one database and one
   * of them notifies at a time): configuration, silences, acknowledgements, alerts and the
   * notification log are read as the previous one left them, its unconfirmed notifications are
   * offered again, and dispatching starts. No-op when already active.
   */
  public synchronized void activate() {
    if (active) {
      return;
    }
    incoming.clear(); // alerts handed here while standing by: rules send them again
    pending.set(0);
    silences.reload();
    nflog.reload();
    dispatcher = newDispatcher(loadConfig(initialConfig));
    resumePending();
    active = true;
    wake.release();
    log.info("notification: this instance notifies from now on");
  }

  /** Stops deciding notifications (another instance notifies now); those already with a sender finish. */
  public synchronized void deactivate() {
    if (active) {
      active = false;
      log.warn("notification: this instance no longer notifies");
    }
  }

  /** True while this instance decides and sends notifications. */
  public boolean active() {
    return active;
  }

  /**
   * Reads configuration, silences and acknowledgements again (another instance sharing the
   * database changed them); the dispatcher switches only when the configuration text changed.
   */
  public synchronized void reloadShared() {
    String before = shownText;
    NotifyConfig c = loadConfig(initialConfig);
    if (!java.util.Objects.equals(before, shownText)) {
      dispatcher.apply(c);
    }
    silences.reload();
    dispatcher.reloadAcks();
    wake.release();
  }

  /** Runs {@code listener} after each change made through the API here (configuration, silences, acknowledgements). */
  public void onChange(Runnable listener) {
    changeListeners.add(requireNonNull(listener, "listener"));
  }

  void changed() {
    for (Runnable r : changeListeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("after a notification change: {}", e.toString());
      }
    }
  }

  /**
   * The dispatcher thread: a step, then sleep until the earliest group is due, alerts arrive or
   * {@code tickInterval} passed (escalation and housekeeping), whichever comes first.
   */
  private void runDispatcher() {
    long tickNanos = tickInterval.toNanos();
    try {
      while (!closed) {
        long started = System.nanoTime();
        boolean failed = false;
        try {
          if (active) {
            tick();
          }
        } catch (RuntimeException e) {
          failed = true; // the due time is then stale: wait a whole tick rather than retry at once
          log.error("notification dispatcher step failed: {}", e.toString(), e);
        }
        java.time.Instant due = dispatcher.nextDue();
        long wait = tickNanos;
        if (!failed && due.isBefore(clock.instant().plus(tickInterval))) {
          wait = Math.max(0, java.time.Duration.between(clock.instant(), due).toNanos());
        }
        if (wait > 0 && wake.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
          // Alerts arrived: gather what the next few milliseconds bring into the same step.
          long gap = started + MIN_STEP_GAP_NANOS - System.nanoTime();
          if (gap > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(gap, wait));
          }
        }
        wake.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Offers every persisted, unconfirmed notification not already with a worker to its receiver. */
  void resumePending() {
    for (Notification n : store.pending()) {
      deliveries.submit(n); // no-op for those in flight
    }
  }

  @Override
  public void send(List<Alert> alerts) {
    requireNonNull(alerts, "alerts");
    if (alerts.isEmpty()) {
      return;
    }
    if (pending.addAndGet(alerts.size()) > maxPending) {
      pending.addAndGet(-alerts.size());
      dropped.addAndGet(alerts.size());
      log.error("notification queue full ({} alerts waiting): {} alerts dropped (rules re-send firing alerts)",
          maxPending, alerts.size());
      return;
    }
    incoming.add(List.copyOf(alerts));
    wake.release();
  }

  /** One dispatcher step: takes queued alerts, flushes due groups. Tests call it with a fixed clock. */
  void tick() {
    List<Alert> batch = new ArrayList<>();
    for (List<Alert> l; (l = incoming.poll()) != null; ) {
      batch.addAll(l);
    }
    pending.addAndGet(-batch.size());
    dispatcher.tick(batch);
    java.time.Instant now = clock.instant();
    if (!now.isBefore(nextHousekeeping)) {
      nextHousekeeping = now.plus(HOUSEKEEPING);
      resumePending(); // notifications a full receiver queue refused
      store.prune(now.minus(DELIVERY_LOG_RETENTION), java.time.Instant.EPOCH);
      silences.gc();
    }
  }

  Dispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * Every alert with why it is muted and who took it. The notifying instance answers from memory;
   * a standby (several instances share the database) reads what the notifying instance stored,
   * at most once per {@link #STANDBY_REFRESH}, so every instance shows the whole cluster's alerts.
   */
  List<Dispatcher.Status> alertStatus() {
    Dispatcher d = dispatcher;
    if (!active) {
      long now = System.nanoTime();
      synchronized (this) {
        if (!active && now - standbyReadAt >= STANDBY_REFRESH.toNanos()) {
          d = dispatcher;
          d.reloadAcks();
          d.reloadAlerts();
          standbyReadAt = now;
        }
      }
    }
    return d.status();
  }

  /** How old a standby's view of the stored alerts may be. */
  static final java.time.Duration STANDBY_REFRESH = java.time.Duration.ofMillis(500);
  private long standbyReadAt = System.nanoTime() - STANDBY_REFRESH.toNanos();

  Silences silences() {
    return silences;
  }

  /**
   * Waits until everything the notifier handed its database writer so far is written (queued
   * notifications, outcomes, alerts); false when {@code timeout} passed first. For shutdown
   * paths and benchmarks that must not measure the tail of an earlier burst.
   */
  public boolean awaitWritten(Duration timeout) {
    return deliveries.writer().flush(timeout.toMillis());
  }

  /** The store, once what the notifier handed its writer so far is written (reads then see it). */
  NotifyStore store() {
    deliveries.writer().flush(5_000);
    return store;
  }

  Templates templates() {
    return templates;
  }

  Deliveries deliveries() {
    return deliveries;
  }

  Clock clock() {
    return clock;
  }

  /**
   * Validates {@code text} (YAML or JSON; a secret field holding {@code <secret>} keeps its stored
   * value), stores it with its secrets sealed and switches to it; throws {@link ConfigException}.
   */
  synchronized ConfigChange replaceConfig(String text, String by) {
    ConfigSecrets.Split s = ConfigSecrets.split(text, secrets);
    NotifyConfig c = ConfigParser.parse(s.tree(), s.masked());
    store.saveConfig(s.masked(), seal(s.secrets()), by, clock.instant());
    ConfigChange change = new ConfigChange(shownText, s.masked(), ConfigSecrets.changedKeys(secrets, s.secrets()));
    secrets = s.secrets();
    shownText = s.masked();
    global = s.tree().path("global");
    problem = null;
    dispatcher.apply(c);
    wake.release();
    return change;
  }

  /**
   * The configuration's global SMTP settings and external URL, for other senders (scheduled
   * reports): empty when {@code global.smtp_smarthost} or {@code smtp_from} is not set.
   */
  public Optional<GlobalMail> globalMail() {
    return GlobalMail.of(global);
  }

  /** Alertmanager's fingerprint of an alert's labels: how acknowledgements ({@code alert.acknowledged}) name it. */
  public static String fingerprint(syslens.storage.Labels labels) {
    return Model.fingerprint(labels);
  }

  /** A saved configuration change: masked texts before and after, and which secret fields changed (keys only). */
  record ConfigChange(String before, String after, List<String> secretsChanged) {}

  /** The stored configuration as shown: secret values masked as {@code <secret>}. */
  String configText() {
    return shownText;
  }

  /** Why the stored configuration is not in use (invalid, or its secrets cannot be opened), or null. */
  String configProblem() {
    return problem;
  }

  /** Alerts dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Counters for self-metrics. */
  public record Stats(long delivered, long failed, long refused, long dropped, long templateFailures, int groups) {}

  public Stats stats() {
    return new Stats(deliveries.delivered(), deliveries.failed(), deliveries.rejected(), dropped.get(),
        templates.failures(), dispatcher.groupCount());
  }

  @Override
  public void close() {
    closed = true;
    ticker.interrupt();
    try {
      ticker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deliveries.close();
  }

  /** Builder: the metadata database is required; the rest has defaults. */
  public static final class Builder {
    private final DataSource db;
    private Clock clock = Clock.systemUTC();
    private Duration tickInterval = Duration.ofMillis(250);
    private int maxPendingAlerts = 200_000;
    private String initialConfig = DEFAULT_CONFIG;
    private UserLanguage userLanguage = UserLanguage.none();
    private SecretCipher cipher;
    private Deliveries.Retry retry = new Deliveries.Retry(8, Duration.ofSeconds(1), Duration.ofMinutes(1));
    private boolean standby;
    private Duration writeLinger = Duration.ofNanos(NotifyWriter.LINGER_NANOS);

    private Builder(DataSource db) {
      this.db = requireNonNull(db, "db");
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Builder tickInterval(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("tickInterval: " + d + " (expected: > 0)");
      }
      this.tickInterval = d;
      return this;
    }

    public Builder maxPendingAlerts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxPendingAlerts: " + n + " (expected: > 0)");
      }
      this.maxPendingAlerts = n;
      return this;
    }

    /** The configuration used when the database holds none yet (validated at build). */
    public Builder initialConfig(String yamlOrJson) {
      ConfigParser.parse(yamlOrJson);
      this.initialConfig = yamlOrJson;
      return this;
    }

    public Builder userLanguage(UserLanguage u) {
      this.userLanguage = requireNonNull(u, "userLanguage");
      return this;
    }

    /** Delivery attempts in total and the backoff between them (doubling from {@code initial} to {@code max}). */
    public Builder retry(int maxAttempts, Duration initial, Duration max) {
      this.retry = new Deliveries.Retry(maxAttempts, initial, max);
      return this;
    }

    /**
     * Seals the config's secret fields at rest (the server passes its master key); without one
     * they are kept apart from the config text but unsealed.
     */
    public Builder secretCipher(SecretCipher c) {
      this.cipher = requireNonNull(c, "cipher");
      return this;
    }

    /**
     * Starts as a standby: nothing is dispatched or sent until {@link Notifier#activate} (several
     * alerting instances, one of which notifies at a time).
     */
    public Builder standby(boolean standby) {
      this.standby = standby;
      return this;
    }

    /**
     * How long the database writer gathers records before a commit (default 1 s, fewer writes in
     * an alert storm). Zero: a delivery's notification-log entry is committed right after the
     * delivery, so an instance taking over after a crash re-sends only what was in flight.
     */
    public Builder writeLinger(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("writeLinger: " + d + " (expected: >= 0)");
      }
      this.writeLinger = d;
      return this;
    }

    public Notifier build() {
      return new Notifier(this);
    }
  }
}
