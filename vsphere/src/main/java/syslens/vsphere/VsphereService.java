package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimException;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryCodec;

/**
 * The vSphere collector role: every configured vCenter gets a {@link VCenterCollector} on its own
 * schedule. A cycle never overlaps itself: the next one starts one interval after the previous
 * start, or at once (counted as late) when the previous ran over. QueryPerf batches run on
 * virtual threads; each vCenter's client bounds its calls in flight.
 */
public final class VsphereService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VsphereService.class);

  private final VCenterRepository repository;
  private final CredentialCipher cipher;
  private final SampleSink sink;
  private final NodeDirectory nodes;
  private final Clock clock;
  private final int maxEntitiesPerQuery;
  /** First retry delay of the vSphere clients; null: the client's default. */
  private final Duration retryBackoff;
  private final Duration failedCycleRetry;
  private final syslens.vsphere.perf.PerfInstances instances;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService perfExecutor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Map<String, String> startErrors = new ConcurrentHashMap<>();
  /** Which vCenters this instance polls (several collector instances share them; all by default). */
  private final java.util.function.Predicate<String> owned;
  /** This instance's id on the status board, and the board (null: a single instance). */
  private final String instance;
  private final StatusBoard board;
  /** The inventories shared between instances (null: a single instance, each one shows its own). */
  private final SharedInventories shared;

  private static final class Running {
    final VCenterCollector collector;
    final VCenterSpec spec;
    volatile ScheduledFuture<?> next;
    volatile boolean stopped;

    Running(VCenterCollector collector, VCenterSpec spec) {
      this.collector = collector;
      this.spec = spec;
    }
  }

  private VsphereService(Builder b) {
    this.repository = b.repository;
    this.cipher = b.cipher;
    this.sink = b.sink;
    this.nodes = b.nodes;
    this.clock = b.clock;
    this.maxEntitiesPerQuery = b.maxEntitiesPerQuery;
    this.retryBackoff = b.retryBackoff;
    this.failedCycleRetry = b.failedCycleRetry;
    this.owned = b.owned;
    this.instance = b.instance;
    this.board = b.board;
    this.shared = b.inventoryBoard == null ? null
        : new SharedInventories(b.inventoryBoard, b.inventoryInstance, InventoryCodec.create());
    this.instances = b.instances;
    this.scheduler = Executors.newScheduledThreadPool(b.schedulerThreads, r -> {
      Thread t = new Thread(r, "vsphere-cycle");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder(VCenterRepository repository, CredentialCipher cipher, SampleSink sink,
      NodeDirectory nodes) {
    return new Builder(repository, cipher, sink, nodes);
  }

  /** Starts collecting every enabled vCenter of the repository that this instance owns. */
  public void start() {
    for (VCenterSpec s : repository.list()) {
      if (s.enabled() && owned.test(s.id())) {
        startCollector(s);
      }
    }
  }

  /**
   * Brings collection in line with the repository and ownership (several collector instances:
   * called after ownership may have changed, and to pick up vCenters saved on another instance):
   * owned enabled vCenters run with their stored settings, every other collector stops.
   */
  public synchronized void reconcile() {
    Map<String, VCenterSpec> want = new java.util.HashMap<>();
    for (VCenterSpec s : repository.list()) {
      if (s.enabled() && owned.test(s.id())) {
        want.put(s.id(), s);
      }
    }
    for (String id : new ArrayList<>(running.keySet())) {
      Running r = running.get(id);
      if (r != null && !r.spec.equals(want.get(id))) {
        log.info("vCenter {}: {}", r.spec.name(), want.containsKey(id) ? "settings changed, restarting"
            : "no longer collected here");
        stopCollector(id);
      }
    }
    for (VCenterSpec s : want.values()) {
      if (!running.containsKey(s.id()) && !startErrors.containsKey(s.id())) {
        startCollector(s);
      }
    }
  }

  public CredentialCipher cipher() {
    return cipher;
  }

  public List<VCenterSpec> list() {
    List<VCenterSpec> out = new ArrayList<>(repository.list());
    out.sort(Comparator.comparing(VCenterSpec::name));
    return out;
  }

  public Optional<VCenterSpec> get(String id) {
    return repository.list().stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** Saves (insert or replace) and (re)starts collection. */
  public void save(VCenterSpec spec) {
    requireNonNull(spec, "spec");
    for (VCenterSpec other : repository.list()) {
      if (!other.id().equals(spec.id()) && other.name().equals(spec.name())) {
        throw new IllegalArgumentException("name: '" + spec.name() + "' is taken by vCenter " + other.id()
            + " (expected: a name unique among vCenters; it becomes the vcenter label)");
      }
    }
    repository.save(spec);
    stopCollector(spec.id());
    if (spec.enabled() && owned.test(spec.id())) {
      startCollector(spec);
    }
  }

  public boolean delete(String id) {
    stopCollector(id);
    if (board != null) {
      try {
        board.remove(id);
      } catch (RuntimeException e) {
        log.warn("vCenter {}: removing its shared status failed: {}", id, e.toString());
      }
    }
    if (shared != null) {
      shared.remove(id);
    }
    return repository.delete(id);
  }

  /**
   * A vCenter's status: from its collector when polled here, else (several instances) as the
   * instance that polls it left it on the status board; {@code starting} while none has yet.
   */
  public Optional<VCenterStatus> status(String id) {
    Running r = running.get(id);
    if (r != null) {
      return Optional.of(board == null ? r.collector.status() : r.collector.status().withOwner(instance));
    }
    String error = startErrors.get(id);
    Optional<VCenterSpec> spec = get(id);
    if (board != null && error == null && spec.isPresent() && spec.get().enabled()) {
      Optional<VCenterStatus> shared = Optional.empty();
      try {
        shared = board.get(id);
      } catch (RuntimeException e) {
        log.warn("vCenter {}: reading its shared status failed: {}", id, e.toString());
      }
      return Optional.of(shared.orElseGet(() -> new VCenterStatus(id, spec.get().name(), "starting", null, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    }
    return spec.map(s -> new VCenterStatus(s.id(), s.name(), error != null ? "error" : "disabled", error, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  /** Leaves the status (and the inventory, when it changed) of a vCenter polled here on the boards. */
  private void share(Running r) {
    if (shared != null) {
      synchronized (r) { // never after stopCollector: a later owner's row is not overwritten from here
        if (!r.stopped) {
          shared.publish(r.spec.id(), r.collector.inventory());
        }
      }
    }
    if (board == null || r.stopped) {
      return;
    }
    try {
      board.put(r.collector.status().withOwner(instance));
    } catch (RuntimeException e) {
      log.warn("vCenter {}: sharing its status failed: {}", r.spec.name(), e.toString());
    }
  }

  public Optional<Inventory> inventory(String id) {
    Running r = running.get(id);
    return r == null ? Optional.empty() : Optional.of(r.collector.inventory());
  }

  /** The inventory of every vCenter polled by this instance (guest collection works on these). */
  public List<Inventory> inventories() {
    List<Inventory> out = new ArrayList<>();
    running.values().forEach(r -> out.add(r.collector.inventory()));
    out.sort(Comparator.comparing(Inventory::vcenter));
    return out;
  }

  /**
   * Every vCenter's inventory, whichever instance polls it (the REST tree, list, scoped views and
   * report sizes): those polled here, and with an inventory board the latest each other enabled
   * vCenter's polling instance left there (also after that instance died, until the next owner
   * writes its own). A single instance: {@link #inventories()}.
   */
  public List<Inventory> allInventories() {
    if (shared == null) {
      return inventories();
    }
    List<Inventory> out = new ArrayList<>();
    java.util.Set<String> fromBoard = new java.util.HashSet<>();
    for (VCenterSpec s : repository.list()) {
      Running r = running.get(s.id());
      Inventory local = r == null ? null : r.collector.inventory();
      if (local != null && !notReadYet(local)) {
        out.add(local);
      } else if (s.enabled()) { // polled elsewhere, or taken over here and not read yet: the last one shared
        fromBoard.add(s.id());
      }
    }
    out.addAll(shared.read(fromBoard));
    out.sort(Comparator.comparing(Inventory::vcenter));
    return out;
  }

  /** A collector's inventory before its first read ({@link Inventory#empty}). */
  static boolean notReadYet(Inventory inv) {
    return inv.collectedAt().toEpochMilli() == 0 && inv.vms().isEmpty() && inv.hosts().isEmpty();
  }

  /** Runs the next cycle of a vCenter now (tests, "collect now" in the UI); returns its status. */
  public Optional<VCenterStatus> runNow(String id) {
    Running r = running.get(id);
    if (r == null) {
      return Optional.empty();
    }
    synchronized (r) {
      r.collector.runCycle();
    }
    share(r);
    return Optional.of(r.collector.status());
  }

  /** Logs in and reads the ServiceContent with the given settings, without saving anything. */
  public String testConnection(VCenterSpec spec, String password) {
    try (VimClient c = VimClient.create(spec.clientConfig(password, retryBackoff))) {
      c.login();
      return c.serviceContent().fullName();
    }
  }

  private void startCollector(VCenterSpec spec) {
    String password;
    try {
      password = cipher.open(spec.sealedPassword());
    } catch (IllegalArgumentException e) {
      startErrors.put(spec.id(), "the stored password cannot be opened with this server's master key"
          + " (expected: the key it was sealed with; enter the password again)");
      log.error("vCenter {}: its sealed password cannot be opened with this master key; not collecting",
          spec.name());
      return;
    }
    Running r = new Running(new VCenterCollector(spec, password, sink, nodes, clock, perfExecutor,
        maxEntitiesPerQuery, retryBackoff, instances, failedCycleRetry), spec);
    running.put(spec.id(), r);
    share(r);
    schedule(r, 0);
    log.info("vCenter {} ({}): collecting every {} s", spec.name(), spec.url(), spec.perfInterval().toSeconds());
  }

  private void schedule(Running r, long delayMs) {
    if (r.stopped) {
      return;
    }
    r.next = scheduler.schedule(() -> cycle(r), delayMs, TimeUnit.MILLISECONDS);
  }

  private void cycle(Running r) {
    long start = clock.millis();
    try {
      synchronized (r) {
        if (r.stopped) {
          return;
        }
        if (!owned.test(r.spec.id())) {
          // Ownership lapsed (another instance may poll it now); reconcile() stops this collector.
          schedule(r, 1_000);
          return;
        }
        r.collector.runCycle();
      }
    } catch (RuntimeException e) {
      log.error("vCenter {}: cycle failed unexpectedly", r.collector.spec().name(), e);
    }
    share(r);
    long interval = r.collector.spec().perfInterval().toMillis();
    long now = clock.millis();
    if (now - start > interval) {
      r.collector.markLate(); // reported, not stacked: the next cycle starts now
    }
    long delay = nextDelay(start, now, interval);
    Duration retry = r.collector.retryIn(); // a failed cycle, or none stored yet: sooner
    if (retry != null) {
      delay = Math.min(delay, retry.toMillis());
    }
    schedule(r, delay);
  }

  /**
   * Milliseconds until the next cycle: one interval after the previous one started, or 0 when it
   * ran over (a late cycle starts at once, and only one: missed slots are not made up).
   */
  static long nextDelay(long startMs, long nowMs, long intervalMs) {
    return Math.max(0, startMs + intervalMs - nowMs);
  }

  private void stopCollector(String id) {
    startErrors.remove(id);
    Running r = running.remove(id);
    if (r == null) {
      return;
    }
    r.stopped = true;
    ScheduledFuture<?> f = r.next;
    if (f != null) {
      f.cancel(false);
    }
    synchronized (r) { // waits for a running cycle
      try {
        r.collector.close();
      } catch (VimException e) {
        log.debug("vCenter {}: logout failed: {}", id, e.getMessage());
      }
    }
    if (shared != null) {
      shared.stopped(id);
    }
  }

  @Override
  public void close() {
    new ArrayList<>(running.keySet()).forEach(this::stopCollector);
    scheduler.shutdownNow();
    perfExecutor.shutdownNow();
  }

  /** Builder. */
  public static final class Builder {
    private final VCenterRepository repository;
    private final CredentialCipher cipher;
    private final SampleSink sink;
    private final NodeDirectory nodes;
    private Clock clock = Clock.systemUTC();
    private int maxEntitiesPerQuery = 256;
    private int schedulerThreads = 2;
    private Duration retryBackoff;
    private Duration failedCycleRetry = Duration.ofSeconds(5);
    private java.util.function.Predicate<String> owned = id -> true;
    private syslens.vsphere.perf.PerfInstances instances = syslens.vsphere.perf.PerfInstances.defaults();
    private String instance;
    private StatusBoard board;
    private String inventoryInstance;
    private InventoryBoard inventoryBoard;

    private Builder(VCenterRepository repository, CredentialCipher cipher, SampleSink sink, NodeDirectory nodes) {
      this.repository = requireNonNull(repository, "repository");
      this.cipher = requireNonNull(cipher, "cipher");
      this.sink = requireNonNull(sink, "sink");
      this.nodes = requireNonNull(nodes, "nodes");
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public Builder maxEntitiesPerQuery(int n) {
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException("maxEntitiesPerQuery: " + n + " (expected: 1..10000)");
      }
      this.maxEntitiesPerQuery = n;
      return this;
    }

    public Builder schedulerThreads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("schedulerThreads: " + n + " (expected: 1..64)");
      }
      this.schedulerThreads = n;
      return this;
    }

    /** The first delay before a failed vSphere call is tried again (doubling per attempt); default 500 ms. */
    public Builder retryBackoff(Duration d) {
      requireNonNull(d, "retryBackoff");
      if (d.isNegative() || d.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("retryBackoff: " + d + " (expected: 0..60s)");
      }
      this.retryBackoff = d;
      return this;
    }

    /**
     * How soon a cycle that failed, or that stored no sample while none has been stored yet, is
     * followed by the next one: this delay, doubled per such cycle in a row, until it reaches the
     * connection's interval; default 5 s.
     */
    public Builder failedCycleRetry(Duration d) {
      requireNonNull(d, "failedCycleRetry");
      if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("failedCycleRetry: " + d + " (expected: > 0 and <= 10 min)");
      }
      this.failedCycleRetry = d;
      return this;
    }

    /**
     * Polls only the vCenters (by id) {@code owned} accepts, asked before each cycle; several
     * collector instances each own some (default: all).
     */
    public Builder owned(java.util.function.Predicate<String> owned) {
      this.owned = requireNonNull(owned, "owned");
      return this;
    }

    /**
     * Several instances: each vCenter's status is left on {@code board} by {@code instance} when
     * polled here and read from it otherwise, so every instance shows it.
     */
    public Builder statusBoard(String instance, StatusBoard board) {
      this.instance = requireNonNull(instance, "instance");
      this.board = requireNonNull(board, "board");
      return this;
    }

    /**
     * Several instances: the inventory of each vCenter polled here is left on {@code board} by
     * {@code instance} when it changed, and {@link #allInventories()} shows the others' from it.
     */
    public Builder inventoryBoard(String instance, InventoryBoard board) {
      this.inventoryInstance = requireNonNull(instance, "instance");
      this.inventoryBoard = requireNonNull(board, "board");
      return this;
    }

    /** The per-instance series (per CPU, disk, NIC) collected besides the aggregates; default {@link syslens.vsphere.perf.PerfInstances#defaults()}. */
    public Builder instances(syslens.vsphere.perf.PerfInstances instances) {
      this.instances = requireNonNull(instances, "instances");
      return this;
    }

    public VsphereService build() {
      return new VsphereService(this);
    }
  }
}
